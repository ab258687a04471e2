# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: what the sidekiq_alive gem (Chatwoot >= 4.5)
# shows from outside: an HTTP server on SIDEKIQ_ALIVE_PORT (7433) inside the
# worker process answering 200 "Alive!" while the worker can reach its Redis,
# 404 otherwise. Started on Sidekiq's :startup event, so it answers only once
# Sidekiq has booted and only while that process lives.

require "socket"
require "timeout"

module Standin
  module Alive
    module_function

    def start
      port = Integer(ENV.fetch("SIDEKIQ_ALIVE_PORT", "7433"))
      @server = TCPServer.new(ENV.fetch("SIDEKIQ_ALIVE_HOST", "0.0.0.0"), port)
      Sidekiq.logger.info("sidekiq_alive (TEST DOUBLE) listening on port #{port}")
      @thread = Thread.new do
        loop do
          client = @server.accept
          Thread.new(client) { |c| answer(c) }
        rescue IOError, SystemCallError
          break
        end
      end
    end

    def stop
      @server&.close
    rescue IOError
      nil
    end

    def answer(client)
      Timeout.timeout(5) do
        while (line = client.gets)
          break if line.strip.empty?
        end
        alive = begin
          Sidekiq.redis { |conn| conn.call("PING") } == "PONG"
        rescue StandardError
          false
        end
        status, body = alive ? ["200 OK", "Alive!"] : ["404 Not Found", "Can't find the alive key"]
        client.write("HTTP/1.1 #{status}\r\nContent-Type: text/plain\r\nContent-Length: #{body.bytesize}\r\n" \
                     "Connection: close\r\n\r\n#{body}")
      end
    rescue StandardError
      nil
    ensure
      client.close rescue nil # rubocop:disable Style/RescueModifier
    end
  end
end
