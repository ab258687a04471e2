# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: what the sidekiq_alive gem does in Chatwoot's worker, from v4.5.0
# (Gemfile / Gemfile.lock @ v4.5.0 .. v4.15.1: sidekiq_alive 2.5.0; Chatwoot configures nothing of it, so the
# gem's defaults apply). Read from arturictus/sidekiq_alive v2.5.0 (lib/sidekiq_alive.rb, config.rb,
# worker.rb, server/default.rb, server/http_server.rb); only what can be seen from outside is imitated:
# - off when DISABLE_SIDEKIQ_ALIVE is "true" in any case, anything else leaves it on;
# - on Sidekiq's :startup: a capsule "sidekiq-alive" (SIDEKIQ_ALIVE_CONCURRENCY, 2) working the one queue
#   sidekiq-alive-<HOSTNAME> (so the process reports 2 more threads and that queue); the instance registered
#   in the sorted set sidekiq-alive-hostnames (score now + 1800 s); the key
#   SIDEKIQ::LIVENESS_PROBE_TIMESTAMP::<HOSTNAME> set for 600 s; a SidekiqAlive::Worker job pushed to its
#   queue; the HTTP server started in a forked process;
# - the job (retry: false) refreshes both, clears other sidekiq-alive-* queues holding only one such job older
#   than 300 s (orphans of a process that died), and schedules itself again in 300 s;
# - on :quiet the scheduled jobs of its queue are deleted and the server answers 200 "Server is shutting
#   down" for SIDEKIQ_ALIVE_QUIET_TIMEOUT (180) s; on :shutdown its queue is cleared (and leaves the `queues`
#   set) and the instance unregistered. After an unclean stop its scheduled job stays in `schedule`, and
#   another worker's scheduler later moves it into the dead host's queue, where nobody takes it;
# - the server (GServer with maxConnections 1) binds SIDEKIQ_ALIVE_HOST (0.0.0.0) : SIDEKIQ_ALIVE_PORT
#   (7433) and serves ONE connection at a time with no timeout: a client that connects and sends nothing
#   holds it forever (Chatwoot #15818). SIDEKIQ_ALIVE_PATH ("/") answers 200 "Alive!" while the liveness key
#   exists, 404 "Can't find the alive key" when it does not, 500 "Internal Server Error" when Redis fails;
#   any other path 404 "Not found"; a first line that is no request line 400.

require "socket"
require "sidekiq"
require "sidekiq/api"
require_relative "core"

module SidekiqAlive
  HOSTNAME_REGISTRY = "sidekiq-alive-hostnames"
  CAPSULE_NAME = "sidekiq-alive"
  QUEUE_PREFIX = "sidekiq-alive"
  LIVENESS_KEY = "SIDEKIQ::LIVENESS_PROBE_TIMESTAMP"
  REGISTERED_INSTANCE_KEY = "SIDEKIQ_REGISTERED_INSTANCE"
  TIME_TO_LIVE = 10 * 60
  REGISTRATION_TTL = TIME_TO_LIVE * 3
  WORKER_INTERVAL = TIME_TO_LIVE / 2
  SERVER_NAME = "SidekiqAlive/2.5.0 (Ruby/#{RUBY_VERSION})".freeze

  class << self
    def enabled?
      Standin.version_at_least?("4.5.0") && !ENV.fetch("DISABLE_SIDEKIQ_ALIVE", "").casecmp("true").zero?
    end

    def hostname
      ENV["HOSTNAME"] || "HOSTNAME_NOT_SET"
    end

    def current_queue
      "#{QUEUE_PREFIX}-#{hostname}"
    end

    def register_key
      "#{REGISTERED_INSTANCE_KEY}::#{hostname}"
    end

    def liveness_key
      "#{LIVENESS_KEY}::#{hostname}"
    end

    def concurrency
      Integer(ENV.fetch("SIDEKIQ_ALIVE_CONCURRENCY", 2), exception: false) || 2
    end

    def quiet_timeout
      Integer(ENV.fetch("SIDEKIQ_ALIVE_QUIET_TIMEOUT", 180), exception: false) || 180
    end

    def redis(&block)
      (Sidekiq.default_configuration.capsules[CAPSULE_NAME] || Sidekiq).redis(&block)
    end

    def store_alive_key
      redis { |r| r.call("SET", liveness_key, Time.now.to_i, ex: TIME_TO_LIVE) }
    end

    def alive?
      redis { |r| r.call("TTL", liveness_key) } != -2
    end

    def register_current_instance
      redis { |r| r.call("ZADD", HOSTNAME_REGISTRY, Time.now.to_i + REGISTRATION_TTL, register_key) }
      expired = redis { |r| r.call("ZRANGEBYSCORE", HOSTNAME_REGISTRY, 0, Time.now.to_i) }
      expired.each { |key| redis { |r| r.call("ZREM", HOSTNAME_REGISTRY, key) } }
    end

    def install(sidekiq)
      sidekiq.on(:startup) do
        Worker.sidekiq_options(queue: current_queue)
        sidekiq.capsule(CAPSULE_NAME) do |cap|
          cap.concurrency = concurrency
          cap.queues = [current_queue]
        end
        Sidekiq.logger.info("[SidekiqAlive] Starting sidekiq-alive: #{{ hostname: hostname, port: Server.port,
                                                                         queue: current_queue }}")
        register_current_instance
        store_alive_key
        Worker.perform_async(hostname)
        Server.run!
        Sidekiq.logger.info("[SidekiqAlive] Successfully started sidekiq-alive, registered with key: " \
                            "#{register_key} on set #{HOSTNAME_REGISTRY}")
      end
      sidekiq.on(:quiet) do
        Sidekiq.logger.info("[SidekiqAlive] Shutting down sidekiq-alive!")
        Sidekiq::ScheduledSet.new.scan('"class":"SidekiqAlive::Worker"')
                             .select { |job| job.queue == current_queue }.each(&:delete)
        Server.quiet!
      end
      sidekiq.on(:shutdown) do
        Sidekiq.logger.info("[SidekiqAlive] Removing queue #{current_queue}")
        Sidekiq::Queue.new(current_queue).clear
        # Sidekiq has stopped the capsule's pool by now: the gem uses the internal one.
        Sidekiq.redis { |r| r.call("ZREM", HOSTNAME_REGISTRY, register_key) }
      end
    end
  end

  class Worker
    include Sidekiq::Job
    sidekiq_options retry: false

    def perform(_hostname = SidekiqAlive.hostname)
      SidekiqAlive.store_alive_key
      SidekiqAlive.register_current_instance
      remove_orphaned_queues
      self.class.perform_in(WORKER_INTERVAL, SidekiqAlive.hostname)
    end

    def remove_orphaned_queues
      Sidekiq::Queue.all
                    .select { |q| q.name.start_with?(QUEUE_PREFIX) }
                    .select { |q| q.latency > TIME_TO_LIVE - WORKER_INTERVAL }
                    .select { |q| q.size == 1 && q.all? { |job| job.klass == self.class.name } }
                    .each(&:clear)
    end
  end

  # The gem's default server: a forked process, one connection at a time.
  module Server
    module_function

    def host
      ENV.fetch("SIDEKIQ_ALIVE_HOST", "0.0.0.0")
    end

    def port
      ENV.fetch("SIDEKIQ_ALIVE_PORT", 7433).to_i
    end

    def path
      ENV.fetch("SIDEKIQ_ALIVE_PATH", "/")
    end

    def run!
      Sidekiq.logger.info("[SidekiqAlive] Starting default healthcheck server on #{host}:#{port}")
      @pid = Process.fork { serve_forever }
      at_exit do
        next if @pid.nil?

        Process.kill("TERM", @pid) rescue nil # rubocop:disable Style/RescueModifier
        Process.wait(@pid) rescue nil # rubocop:disable Style/RescueModifier
      end
      Sidekiq.logger.info("[SidekiqAlive] Web server started in subprocess with pid #{@pid}")
    end

    def quiet!
      Process.kill("TSTP", @pid) if @pid
    end

    def serve_forever
      quiet_since = nil
      trap("TSTP") { quiet_since = Time.now }
      trap("TERM") { exit!(0) }
      server = TCPServer.new(host, port)
      loop do
        client = server.accept
        begin
          serve(client, quiet_since)
        rescue StandardError
          nil
        ensure
          client.close rescue nil # rubocop:disable Style/RescueModifier
        end
      end
    end

    def serve(io, quiet_since)
      first = io.gets
      return io << response(400) unless first =~ /^(\S+)\s+(\S+)\s+(\S+)/

      request_path = Regexp.last_match(2)
      # The gem loops on `io.gets` until a blank line; a client that closes before sending one keeps it
      # looping (busy) forever. Held here without burning the CPU: the slot is just as gone.
      while (line = io.gets) !~ /^(\n|\r)/
        sleep if line.nil?
      end
      io << answer(request_path, quiet_since)
    rescue StandardError
      io << response(500)
    end

    def answer(request_path, quiet_since)
      return response(404, "Not found") if request_path != path
      if quiet_since && (Time.now - quiet_since) < SidekiqAlive.quiet_timeout
        return response(200, "Server is shutting down")
      end

      SidekiqAlive.alive? ? response(200, "Alive!") : response(404, "Can't find the alive key")
    rescue StandardError
      response(500, "Internal Server Error")
    end

    MESSAGES = { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", 500 => "Internal Server Error" }.freeze

    def response(status, body = nil)
      headers = { "Server" => SERVER_NAME, "Connection" => "Keep-Alive",
                  "Date" => Time.now.gmtime.strftime("%a, %d %b %Y %H:%M:%S GMT") }
      headers["Content-Length"] = body.bytesize.to_s unless body.nil?
      ["HTTP/1.1 #{status} #{MESSAGES[status]}\r\n", headers.map { |k, v| "#{k}: #{v}\r\n" }.join, "\r\n", body]
        .compact.join
    end
  end
end
