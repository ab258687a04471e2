# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: how the web process's ActiveRecord connection pool behaves, because
# Chatwoot's /api reads `ActiveRecord::Base.connection.active?` and that answer depends on the pool's state.
# Read from Rails 7.1.5.2 (Chatwoot's Gemfile.lock @ v4.15.1):
# - activerecord/lib/active_record/connection_adapters/postgresql_adapter.rb: an adapter is created WITHOUT a
#   connection (@raw_connection = nil); #active? is false while it has none, else `query ";"` (PG::Error ->
#   false); it never connects. #new_client maps a failed PG.connect: message naming the database ->
#   NoDatabaseError (a StatementInvalid), naming the user -> DatabaseConnectionError, naming the host ->
#   DatabaseConnectionError, else ConnectionNotEstablished (DatabaseConnectionError is one).
# - abstract/connection_pool.rb: checkout takes the last connection checked in (LIFO) or makes a new one;
#   #new_connection runs check_version, which connects only while the server version is not cached yet
#   (schema_cache.rb: SchemaReflection#database_version, memoised for the pool). So the pool's first
#   connection is connected, every later new one is not, until a query uses it.
# - abstract_adapter.rb #with_raw_connection: a query connects an adapter that has no connection and
#   reconnects once when its connection turns out to be broken.
# The web process's boot connects the first connection on the main thread and keeps it (v4.5.0+,
# config/initializers/ai_agents.rb: InstallationConfig.find_by in after_initialize, after Rails cleared the
# boot connections), so request threads get unconnected ones.

require "pg"
require_relative "core"

module Standin
  class ActiveRecordPool
    class StatementInvalid < StandardError; end
    class NoDatabaseError < StatementInvalid; end
    class ConnectionNotEstablished < StandardError; end
    class DatabaseConnectionError < ConnectionNotEstablished; end

    # A PG connection that exists only once something needed it.
    class Adapter
      def initialize(config)
        @config = config
        @raw = nil
      end

      def connected?
        !@raw.nil?
      end

      def active?
        return false unless @raw

        @raw.query(";")
        true
      rescue PG::Error
        false
      end

      def disconnect!
        @raw&.close rescue nil # rubocop:disable Style/RescueModifier
        @raw = nil
      end

      def connect!
        disconnect!
        raw = new_client
        raw.set_notice_processor { |_msg| nil }
        raw.exec("SET intervalstyle = iso_8601")
        raw.exec("SET SESSION statement_timeout TO #{raw.escape_literal(Standin.statement_timeout.to_s)}")
        @raw = raw
      rescue PG::Error => e
        raw&.close rescue nil # rubocop:disable Style/RescueModifier
        raise StatementInvalid, "#{e.class}: #{e.message.strip}"
      end

      def server_version
        @raw.server_version
      end

      # A read query, as ActiveRecord runs one (allow_retry): connect if needed, reconnect once on a broken
      # connection, any other PG error becomes StatementInvalid.
      def select_all(sql, params = [])
        attempts = 0
        begin
          connect! unless @raw
          @raw.exec_params(sql, params).to_a
        rescue PG::ConnectionBad, PG::UnableToSend, PG::AdminShutdown => e
          attempts += 1
          raise ConnectionNotEstablished, e.message.strip if attempts > 1

          disconnect!
          retry
        rescue PG::Error => e
          raise StatementInvalid, "#{e.class}: #{e.message.strip}"
        end
      end

      private

      def new_client
        PG.connect(**@config)
      rescue PG::Error => e
        message = e.message
        if @config[:dbname] == "postgres"
          raise ConnectionNotEstablished, message
        elsif @config[:dbname] && message.include?(@config[:dbname].to_s)
          raise NoDatabaseError, "We could not find your database: #{@config[:dbname]}. Available database " \
                                 "configurations can be found in config/database.yml."
        elsif @config[:user] && message.include?(@config[:user].to_s)
          raise DatabaseConnectionError, "There is an issue connecting to your database with your " \
                                         "username/password, username: #{@config[:user]}."
        elsif @config[:host] && message.include?(@config[:host].to_s)
          raise DatabaseConnectionError, "There is an issue connecting with your hostname: #{@config[:host]}."
        else
          raise ConnectionNotEstablished, message
        end
      end
    end

    def initialize
      @config = Standin.db_config
      @available = []
      @mutex = Mutex.new
      @server_version = nil
    end

    def checkout
      adapter = @mutex.synchronize { @available.pop }
      adapter || new_connection
    end

    def checkin(adapter)
      @mutex.synchronize { @available.push(adapter) }
    end

    # The lease of one request: ActiveRecord::Base.connection checks out on first use; the executor checks
    # in when the request ends.
    def lease
      lease = Lease.new(self)
      yield lease
    ensure
      lease&.release
    end

    class Lease
      def initialize(pool)
        @pool = pool
        @adapter = nil
      end

      def connection
        @adapter ||= @pool.checkout
      end

      def release
        @pool.checkin(@adapter) if @adapter
        @adapter = nil
      end
    end

    private

    def new_connection
      adapter = Adapter.new(@config)
      return adapter if @server_version

      adapter.connect!
      @mutex.synchronize { @server_version ||= adapter.server_version }
      adapter
    end
  end
end
