# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the web process (`rails s`), a Rack app on
# WEBrick. It answers the few routes the collection depends on with Chatwoot's
# observable behaviour; everything else is a 404.

require "rack"
require "digest/sha1"
require "securerandom"
require "uri"
require "pg"
require "redis"
require_relative "core"
require_relative "onboarding"
require_relative "active_record_pool"
require_relative "api/router"

module Standin
  class Web
    include Onboarding

    JSON_TYPE = "application/json; charset=utf-8"
    HTML_TYPE = "text/html; charset=utf-8"
    WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    HSTS = "max-age=63072000; includeSubDomains"

    def initialize(pool = ActiveRecordPool.new)
      @force_ssl = Standin.env_flag("FORCE_SSL", false)
      @pool = pool
    end

    def call(env)
      request = Rack::Request.new(env)
      id = SecureRandom.uuid
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      Standin.log(:info, "[#{id}] Started #{request.request_method} \"#{request.fullpath}\" for " \
                         "#{request.ip} at #{Time.now.utc.strftime('%Y-%m-%d %H:%M:%S %z')}")
      status, headers, body = @pool.lease do |lease|
        Thread.current[:standin_lease] = lease
        dispatch(request)
      rescue StandardError => e
        Standin.log(:error, "[#{id}] #{e.class} (#{e.message.strip})")
        e.backtrace.to_a.first(5).each { |line| Standin.log(:error, "[#{id}]   #{line}") }
        html(500, "We're sorry, but something went wrong.")
      end
      ms = ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000).round
      Standin.log(:info, "[#{id}] Completed #{status} #{Rack::Utils::HTTP_STATUS_CODES[status]} in #{ms}ms")
      [status, headers, body]
    end

    private

    def dispatch(request)
      if @force_ssl
        return redirect_to_https(request) unless request.ssl?
      end

      status, headers, body = route(request)
      headers["strict-transport-security"] = HSTS if @force_ssl && request.ssl?
      [status, headers, body]
    end

    # config.force_ssl = FORCE_SSL cast as a boolean (config/environments/production.rb @ v4.15.1), i.e.
    # ActionDispatch::SSL: 301 for GET/HEAD, 307 otherwise, keeping host, port and path.
    def redirect_to_https(request)
      location = +"https://#{request.host}"
      location << ":#{request.port}" unless [80, 443].include?(request.port)
      location << request.fullpath
      status = request.get? || request.head? ? 301 : 307
      [status, { "content-type" => "text/html", "location" => location }, []]
    end

    def route(request)
      path = request.path_info
      path = path.chomp("/") while path.length > 1 && path.end_with?("/")
      get = request.get? || request.head?
      case path
      # config/routes.rb + app/controllers/health_controller.rb from v4.11.0 (absent in v4.10.0): an
      # ActionController::Base, so no switch_locale, no database, no Redis.
      when "/health" then get && Standin.version_at_least?("4.11.0") ? json(200, "status" => "woot") : not_found
      when "/api" then get ? switch_locale(request) { api_status } : not_found
      when "/cable" then cable(request)
      when "/" then get ? root(request) : not_found
      when "/installation/onboarding" then switch_locale(request) { onboarding_route(request) }
      when "/app/login" then get ? html(200, "Chatwoot (TEST DOUBLE): login page") : not_found
      when %r{\A/platform/api/v1/} then Api.call(request) || not_found
      when %r{\A/api/v1/} then switch_locale(request) { Api.call(request) || not_found }
      else not_found
      end
    end

    # GET /api, app/controllers/api_controller.rb @ v4.15.1 (same in v4.4.0 and v4.10.0): Redis first, then
    # Postgres. redis_status: `Redis.new(Redis::Config.app).ping`, only Redis::CannotConnectError is
    # "failing" (the redis gem 5 maps a refused connection, a failed TLS handshake and WRONGPASS to it, see
    # redis-rb lib/redis/client.rb ERROR_MAPPING); any other error (NOAUTH when no password is sent, "AUTH
    # <password> called without any password configured", a read timeout) escapes and is a 500.
    # postgres_status: `ActiveRecord::Base.connection.active? ? "ok" : "failing"`, ConnectionNotEstablished
    # rescued: no query, so an unprepared database is "ok" on a connected connection, and an unconnected one
    # is "failing" (see active_record_pool.rb); NoDatabaseError is not rescued (500).
    def api_status
      json(200,
           "version" => Standin.version,
           "timestamp" => Time.now.utc.strftime("%Y-%m-%d %H:%M:%S"),
           "queue_services" => redis_status,
           "data_services" => postgres_status)
    end

    def redis_status
      client = Standin.redis
      return "ok" if client.ping
    rescue Redis::CannotConnectError => e
      Standin.log(:warn, "Redis: #{e.class}: #{e.message}")
      "failing"
    ensure
      # Chatwoot leaves its client to the garbage collector; closed here so the stand-in holds no sockets.
      client&.close
    end

    def postgres_status
      lease.connection.active? ? "ok" : "failing"
    rescue ActiveRecordPool::ConnectionNotEstablished => e
      Standin.log(:warn, "Database: #{e.class}: #{e.message.strip}")
      "failing"
    end

    # around_action :switch_locale (app/controllers/application_controller.rb, concerns/switch_locale.rb,
    # helpers/domain_helper.rb @ v4.15.1; the same rule in v4.4.0): with no `locale` query parameter (even an
    # empty one counts), a request whose host is neither FRONTEND_URL's nor HELPCENTER_URL's host is looked
    # up in `portals` BEFORE the action runs; that query's failure (database down, no portals table) is a
    # 500. The host is Rails' request.host: the last X-Forwarded-Host, else Host, without its port. A
    # FRONTEND_URL that URI.parse rejects raises here too.
    def switch_locale(request)
      params = request.GET
      unless params.key?("locale") && !params["locale"].nil?
        host = rails_host(request)
        unless chatwoot_domain?(host)
          lease.connection.select_all(
            'SELECT "portals".* FROM "portals" WHERE "portals"."custom_domain" = $1 LIMIT $2', [host, 1]
          )
        end
      end
      yield
    end

    def lease
      Thread.current[:standin_lease]
    end

    def chatwoot_domain?(host)
      [URI.parse(ENV.fetch("FRONTEND_URL", "")).host, URI.parse(ENV.fetch("HELPCENTER_URL", "")).host].include?(host)
    end

    # actionpack lib/action_dispatch/http/url.rb @ v7.1.5.2 (#raw_host_with_port, #host)
    def rails_host(request)
      forwarded = request.get_header("HTTP_X_FORWARDED_HOST").to_s
      raw = if forwarded.strip.empty?
              request.get_header("HTTP_HOST") ||
                "#{request.get_header('SERVER_NAME')}:#{request.get_header('SERVER_PORT')}"
            else
              forwarded.split(/,\s?/).last
            end
      raw.sub(/:\d+$/, "")
    end

    def onboarding_pending?
      client = Standin.redis
      !client.get(Standin::ONBOARDING_KEY).nil?
    ensure
      client&.close
    end

    # app/controllers/dashboard_controller.rb and installation/onboarding_controller.rb @ v4.15.1: the Redis key
    # alfred:CHATWOOT_INSTALLATION_ONBOARDING sends / to the onboarding page, and its absence sends it back.
    def root(request)
      return redirect(request, "/installation/onboarding") if onboarding_pending?

      html(200, "Chatwoot (TEST DOUBLE of chatwoot/chatwoot #{Standin.version})")
    end

    # ActionCable's mount: a websocket handshake gets 101 Switching Protocols, any
    # other request a 404 "Page not found".
    def cable(request)
      upgrade = request.get_header("HTTP_UPGRADE").to_s
      connection = request.get_header("HTTP_CONNECTION").to_s
      unless request.get? && upgrade.casecmp?("websocket") &&
             connection.split(",").map(&:strip).any? { |t| t.casecmp?("upgrade") }
        return [404, { "content-type" => "text/plain" }, ["Page not found"]]
      end

      key = request.get_header("HTTP_SEC_WEBSOCKET_KEY").to_s
      version = request.get_header("HTTP_SEC_WEBSOCKET_VERSION").to_s
      if version != "13" || key.empty? || key.unpack1("m").bytesize != 16
        return [400, { "content-type" => "text/plain", "sec-websocket-version" => "13" }, ["Bad Request"]]
      end

      accept = [Digest::SHA1.digest(key + WS_GUID)].pack("m0")
      headers = { "upgrade" => "websocket", "connection" => "Upgrade", "sec-websocket-accept" => accept }
      offered = request.get_header("HTTP_SEC_WEBSOCKET_PROTOCOL").to_s.split(",").map(&:strip)
      headers["sec-websocket-protocol"] = "actioncable-v1-json" if offered.include?("actioncable-v1-json")
      Standin.log(:info, "Successfully upgraded to WebSocket (REQUEST_METHOD: GET, HTTP_UPGRADE: #{upgrade})")
      [101, headers, CableSession.new]
    end

    def redirect(request, path)
      [302, { "content-type" => HTML_TYPE, "location" => "#{request.base_url}#{path}" },
       ["<html><body>You are being <a href=\"#{request.base_url}#{path}\">redirected</a>.</body></html>"]]
    end

    def json(status, payload)
      [status, { "content-type" => JSON_TYPE }, [JSON.generate(payload)]]
    end

    def html(status, text)
      [status, { "content-type" => HTML_TYPE },
       ["<!DOCTYPE html><html><head><title>Chatwoot</title></head><body><p>#{Rack::Utils.escape_html(text)}</p>" \
        "</body></html>\n"]]
    end

    def not_found
      html(404, "The page you were looking for doesn't exist.")
    end
  end

  # A minimal ActionCable-like websocket session on the raw stream: sends the
  # welcome message, pings every 3 s, answers ping and close frames, ends when
  # the client closes (or after an hour).
  class CableSession
    MAX_SECONDS = 3600

    def call(stream)
      send_text(stream, JSON.generate("type" => "welcome"))
      deadline = Time.now + MAX_SECONDS
      next_ping = Time.now + 3
      while Time.now < deadline
        ready = IO.select([stream], nil, nil, [next_ping - Time.now, 0].max)
        if ready
          frame = read_frame(stream)
          break if frame.nil?

          opcode, payload = frame
          if opcode == 0x8 # close: answer it and end the session
            send_frame(stream, 0x8, payload[0, 2].to_s)
            break
          end
          send_frame(stream, 0xA, payload) if opcode == 0x9 # ping -> pong
        end
        if Time.now >= next_ping
          send_text(stream, JSON.generate("type" => "ping", "message" => Time.now.to_i))
          next_ping = Time.now + 3
        end
      end
    rescue IOError, SystemCallError
      nil
    ensure
      stream.close rescue nil # rubocop:disable Style/RescueModifier
    end

    private

    def send_text(stream, text)
      send_frame(stream, 0x1, text)
    end

    def send_frame(stream, opcode, payload)
      payload = payload.to_s.b
      header = [0x80 | opcode].pack("C")
      header << if payload.bytesize < 126
                  [payload.bytesize].pack("C")
                elsif payload.bytesize < 65_536
                  [126, payload.bytesize].pack("Cn")
                else
                  [127, payload.bytesize].pack("CQ>")
                end
      stream.write(header + payload)
      stream.flush if stream.respond_to?(:flush)
      true
    end

    def read_exact(stream, count)
      data = +""
      data << stream.readpartial(count - data.bytesize) while data.bytesize < count
      data
    rescue EOFError
      nil
    end

    def read_frame(stream)
      head = read_exact(stream, 2) or return nil
      b0, b1 = head.unpack("CC")
      length = b1 & 0x7F
      if length == 126
        length = (read_exact(stream, 2) or return nil).unpack1("n")
      elsif length == 127
        length = (read_exact(stream, 8) or return nil).unpack1("Q>")
      end
      mask = (b1 & 0x80).zero? ? nil : (read_exact(stream, 4) or return nil).bytes
      payload = length.zero? ? +"" : (read_exact(stream, length) or return nil)
      payload = payload.bytes.each_with_index.map { |b, i| b ^ mask[i % 4] }.pack("C*") if mask
      [b0 & 0x0F, payload]
    end
  end
end
