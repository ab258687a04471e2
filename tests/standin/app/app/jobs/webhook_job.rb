# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: app/jobs/webhook_job.rb and lib/webhooks/trigger.rb @ v4.15.1 (queue medium): a
# POST of the payload as JSON with Content-Type and Accept application/json, X-Chatwoot-Delivery, and with a secret
# X-Chatwoot-Timestamp and X-Chatwoot-Signature "sha256=" + HMAC-SHA256(secret, "<timestamp>.<body>"); timeout
# WEBHOOK_TIMEOUT (installation setting, else 5 s); any failure is logged ("Exception: Invalid webhook URL <url> :
# <message>") and the job ends (no retry for these webhook types).
# Since v4.14.0 the request goes through SafeFetch (lib/safe_fetch.rb, lib/safe_fetch/fetcher.rb): unless
# SAFE_FETCH_ALLOW_PRIVATE_NETWORK is true, the gem ssrf_filter 1.5.0 resolves the host (Resolv.getaddresses) and
# refuses a host with no public address ("Hostname '<host>' has no public ip addresses": 10/8, 172.16/12,
# 192.168/16, 127/8, 100.64/10, 169.254/16 and the other reserved ranges, IPv6 loopback, ULA, link-local) or none at
# all ("Could not resolve hostname '<host>'"); a non-2xx answer is an error ("<code> <message>").

require "ipaddr"
require "json"
require "net/http"
require "openssl"
require "resolv"
require "sidekiq"
require "uri"

class WebhookJob
  include Sidekiq::Job
  sidekiq_options queue: "medium", retry: false

  UNSAFE = %w[0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/24 192.0.2.0/24
              192.88.99.0/24 192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4
              255.255.255.255 ::1/128 64:ff9b::/96 100::/64 2001::/32 2001:10::/28 2001:20::/28 2001:db8::/32
              2002::/16 fc00::/7 fe80::/10 ff00::/8].map { |range| IPAddr.new(range) }.freeze

  def perform(url, payload, _webhook_type, secret, delivery_id)
    body = JSON.generate(payload)
    uri = URI(url)
    raise ArgumentError, "URI scheme '#{uri.scheme}' not in whitelist: [\"http\", \"https\"]" unless %w[http https].include?(uri.scheme)

    address = address_for(uri.hostname)
    request = Net::HTTP::Post.new(uri)
    headers(body, secret, delivery_id).each { |name, value| request[name] = value }
    request.body = body
    timeout = webhook_timeout
    response = Net::HTTP.start(address, uri.port, use_ssl: uri.scheme == "https", open_timeout: timeout,
                                                  read_timeout: timeout) { |http| http.request(request) }
    raise "#{response.code} #{response.message}" unless response.is_a?(Net::HTTPSuccess)

    Sidekiq.logger.info("Webhook delivered to #{url}: #{response.code}")
  rescue StandardError => e
    Sidekiq.logger.warn("Exception: Invalid webhook URL #{url} : #{e.message}")
  end

  private

  def headers(body, secret, delivery_id)
    out = { "Content-Type" => "application/json", "Accept" => "application/json" }
    out["X-Chatwoot-Delivery"] = delivery_id if delivery_id.to_s != ""
    if secret.to_s != ""
      ts = Time.now.to_i.to_s
      out["X-Chatwoot-Timestamp"] = ts
      out["X-Chatwoot-Signature"] = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, "#{ts}.#{body}")}"
    end
    out
  end

  def address_for(hostname)
    addresses = Resolv.getaddresses(hostname).map { |ip| IPAddr.new(ip) }
    raise "Could not resolve hostname '#{hostname}'" if addresses.empty?
    return addresses.sample.to_s if private_network_allowed? || !Standin.version_at_least?("4.14.0")

    public = addresses.reject { |ip| UNSAFE.any? { |range| range.family == ip.family && range.include?(ip) } }
    raise "Hostname '#{hostname}' has no public ip addresses" if public.empty?

    public.sample.to_s
  end

  def private_network_allowed?
    Standin.cast_boolean(ENV.fetch("SAFE_FETCH_ALLOW_PRIVATE_NETWORK", "false")) ? true : false
  end

  def webhook_timeout
    value = GlobalConfig.get_value("WEBHOOK_TIMEOUT").to_s.to_i
    value.positive? ? value : 5
  end
end
