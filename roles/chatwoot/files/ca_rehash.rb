# Run by the Chatwoot image's own Ruby (tasks/ca_files.yml), so that the names are those its OpenSSL looks for.
# Reads a PEM file of CA certificates on stdin and fills /ca, the directory web and worker get in SSL_CERT_DIR:
# each certificate as <subject hash>.<n>, the name OpenSSL's directory lookup asks for when it verifies a chain, then
# the whole file as ca.pem, last, so that ca.pem's checksum tells a later run the directory is complete.
require "openssl"

pem = $stdin.read
blocks = pem.scan(/-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----/m)
abort "ca_rehash: no PEM certificate on stdin" if blocks.empty?
certs = blocks.map { |block| OpenSSL::X509::Certificate.new(block) }
Dir.glob("/ca/{*.[0-9]*,ca.pem}").each { |path| File.delete(path) }
taken = Hash.new(0)
certs.each do |cert|
  hash = format("%08x", cert.subject.hash)
  name = "#{hash}.#{taken[hash]}"
  taken[hash] += 1
  File.open("/ca/#{name}", "w", 0o644) { |file| file.write(cert.to_pem) }
  puts "#{name} #{cert.subject}"
end
File.open("/ca/ca.pem", "w", 0o644) { |file| file.write(pem) }
