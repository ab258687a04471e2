# frozen_string_literal: true

# Client side of tests/standin/selftest.sh, run inside a throw-away container on
# the self-test's private network (the stand-in image has Ruby):
#   ruby - http URL [Name:Value ...]   prints "STATUS <code>", "HEADER name: value"..., "BODY <body>"
#   ruby - post URL name=value ...     a form POST (urlencoded); prints STATUS, HEADER..., BODY like http
#   ruby - ws HOST PORT PATH           websocket handshake; prints STATUS, ACCEPT ok|bad, FIRST <text frame>
# It follows no redirect.

require "net/http"
require "socket"
require "digest/sha1"
require "securerandom"

mode = ARGV.shift
case mode
when "http"
  uri = URI(ARGV.shift)
  request = Net::HTTP::Get.new(uri)
  ARGV.each do |pair|
    name, value = pair.split(":", 2)
    request[name] = value
  end
  response = Net::HTTP.start(uri.host, uri.port, open_timeout: 5, read_timeout: 15) { |h| h.request(request) }
  puts "STATUS #{response.code}"
  response.each_header { |k, v| puts "HEADER #{k}: #{v}" }
  puts "BODY #{response.body}"
when "post"
  uri = URI(ARGV.shift)
  response = Net::HTTP.post_form(uri, ARGV.to_h { |pair| pair.split("=", 2) })
  puts "STATUS #{response.code}"
  response.each_header { |k, v| puts "HEADER #{k}: #{v}" }
  puts "BODY #{response.body}"
when "ws"
  host, port, path = ARGV
  key = [SecureRandom.random_bytes(16)].pack("m0")
  socket = TCPSocket.new(host, Integer(port))
  socket.write("GET #{path} HTTP/1.1\r\nHost: #{host}:#{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
               "Sec-WebSocket-Key: #{key}\r\nSec-WebSocket-Version: 13\r\n" \
               "Sec-WebSocket-Protocol: actioncable-v1-json, actioncable-unsupported\r\n\r\n")
  status = socket.gets.to_s
  headers = {}
  while (line = socket.gets) && line != "\r\n"
    name, value = line.split(":", 2)
    headers[name.downcase] = value.to_s.strip
  end
  puts "STATUS #{status.split[1]}"
  expected = [Digest::SHA1.digest(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")].pack("m0")
  puts "ACCEPT #{headers['sec-websocket-accept'] == expected ? 'ok' : 'bad'}"
  puts "HEADER upgrade: #{headers['upgrade']}"
  puts "HEADER connection: #{headers['connection']}"
  if status.split[1] == "101"
    socket.wait_readable(5)
    b0, b1 = socket.read(2).unpack("CC")
    length = b1 & 0x7F
    length = socket.read(2).unpack1("n") if length == 126
    puts "FIRST opcode=#{b0 & 0x0F} #{socket.read(length)}"
    mask = SecureRandom.random_bytes(4)
    payload = [1000].pack("n")
    masked = payload.bytes.each_with_index.map { |b, i| b ^ mask.getbyte(i % 4) }.pack("C*")
    socket.write([0x88, 0x80 | payload.bytesize].pack("CC") + mask + masked)
  end
  socket.close
else
  warn "usage: ruby - http URL [Name:Value ...] | ruby - ws HOST PORT PATH"
  exit 2
end
