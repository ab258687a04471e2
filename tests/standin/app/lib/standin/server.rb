# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: `rails s [-p PORT] [-b ADDRESS] [-e ENV] [-P PIDFILE]`.
# Serves Standin::Web with WEBrick (one thread per connection). Like Rails it
# writes tmp/pids/server.pid and refuses to start while that file names a live
# process (which is why docker/entrypoints/rails.sh removes it first).

require "optparse"
require "fileutils"
require "webrick"
require "rackup"
require "rackup/handler/webrick"
require_relative "core"
require_relative "web"
require_relative "active_record_pool"

module Standin
  module Server
    module_function

    def run(argv)
      options = parse(argv)
      ENV["RAILS_ENV"] = options[:environment] if options[:environment]
      Standin.require_secret_key_base!
      if Standin.fault == "boot"
        warn "#{$PROGRAM_NAME}: NameError: uninitialized constant StandinBrokenInitializer " \
             "(this image was built with STANDIN_FAULT=boot) (NameError)"
        exit 1
      end

      port = Integer(options[:port] || ENV["PORT"] || 3000)
      host = options[:binding] || (Standin.env == "development" ? "localhost" : "0.0.0.0")
      pidfile = options[:pid] || File.join(Standin::APP_ROOT, "tmp", "pids", "server.pid")
      check_pid!(pidfile)

      out = Standin.log_io
      out.puts "=> Booting WEBrick (TEST DOUBLE of chatwoot/chatwoot #{Standin.version})"
      out.puts "=> Rails-like application starting in #{Standin.env} http://#{host}:#{port}"
      out.puts "=> FORCE_SSL=#{Standin.env_flag('FORCE_SSL', false)} FRONTEND_URL=#{ENV.fetch('FRONTEND_URL', '')}"

      FileUtils.mkdir_p(File.dirname(pidfile))
      File.write(pidfile, "#{Process.pid}\n")
      at_exit { File.delete(pidfile) if File.exist?(pidfile) && File.read(pidfile).to_i == Process.pid }

      server = WEBrick::HTTPServer.new(
        BindAddress: host, Port: port, AccessLog: [], DoNotReverseLookup: true,
        Logger: WEBrick::Log.new(out, WEBrick::BasicLog::WARN)
      )
      server.mount("/", Rackup::Handler::WEBrick, Standin::Web.new(boot_pool))
      %w[INT TERM].each { |sig| trap(sig) { server.shutdown } }
      out.puts "* Listening on http://#{host}:#{port}"
      out.puts "Use Ctrl-C to stop"
      server.start
      out.puts "- Goodbye!"
    end

    # The pool as Rails leaves it after boot. From v4.5.0 config/initializers/ai_agents.rb reads three
    # InstallationConfig rows in after_initialize, after Rails' own after_initialize cleared the boot
    # connections (activerecord/lib/active_record/railtie.rb "active_record.clear_active_connections"
    # @ v7.1.5.2): the main thread connects the pool's first connection, caches the server version and keeps
    # that connection, which no request ever gets. Its errors are logged and boot goes on.
    def boot_pool
      pool = ActiveRecordPool.new
      return pool unless Standin.version_at_least?("4.5.0")

      begin
        connection = pool.checkout
        %w[CAPTAIN_OPEN_AI_API_KEY CAPTAIN_OPEN_AI_MODEL CAPTAIN_OPEN_AI_ENDPOINT].each do |name|
          connection.select_all('SELECT "installation_configs".* FROM "installation_configs" WHERE ' \
                                '"installation_configs"."name" = $1 LIMIT $2', [name, 1])
        end
      rescue StandardError => e
        Standin.log(:error, "Failed to configure AI Agents SDK: #{e.message.strip}")
      end
      pool
    end

    def parse(argv)
      options = {}
      OptionParser.new do |o|
        o.on("-p", "--port=PORT") { |v| options[:port] = v }
        o.on("-b", "--binding=IP") { |v| options[:binding] = v }
        o.on("-e", "--environment=NAME") { |v| options[:environment] = v }
        o.on("-P", "--pid=PIDFILE") { |v| options[:pid] = v }
      end.parse!(argv)
      options
    rescue OptionParser::ParseError => e
      warn "#{e.message} (the TEST DOUBLE's rails s supports -p, -b, -e, -P)"
      exit 1
    end

    # As Rack/Rails: a pid file naming a live process means "already running".
    def check_pid!(pidfile)
      return unless File.exist?(pidfile)

      pid = File.read(pidfile).to_i
      raise Errno::ESRCH if pid.zero?

      Process.kill(0, pid)
      warn "A server is already running (pid: #{pid}, file: #{pidfile})."
      warn "Exiting"
      exit 1
    rescue Errno::ESRCH
      File.delete(pidfile)
    end
  end
end
