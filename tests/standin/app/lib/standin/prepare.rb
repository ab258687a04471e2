# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: `rails db:chatwoot_prepare` against a real
# PostgreSQL, with Chatwoot's three cases (lib/tasks/db_enhancements.rake @ v4.15.1):
#   database missing (NoDatabaseError) -> db:setup: create, load schema, seed (no migrate)
#   database present, no ar_internal_metadata -> load schema, seed, migrate
#   otherwise                     -> run pending migrations only
# Everything it does is printed to stdout; failures go to stderr with exit 1.

require "zlib"
require "active_record"
require "pg"
require "redis"
require_relative "core"
require_relative "schema"
require_relative "api_schema"

module Standin
  class Prepare
    class Abort < StandardError; end

    TABLES = %w[messages conversations inboxes account_users users accounts installation_configs portals
                schema_migrations ar_internal_metadata article_embeddings
                access_tokens platform_app_permissibles platform_apps].concat(Schema::API_TABLES).freeze

    def self.run(migrate_only: false)
      new(migrate_only: migrate_only).run
    end

    def initialize(migrate_only: false)
      @migrate_only = migrate_only
      @config = Standin.db_config
      @dbname = @config[:dbname]
      @actions = []
    end

    def say(message)
      $stdout.puts(message)
      $stdout.flush
    end

    def run
      Standin.require_secret_key_base!
      say "#{task} (TEST DOUBLE, Chatwoot #{Standin.version}, RAILS_ENV=#{Standin.env}) " \
          "on database '#{@dbname}' at #{@config[:host]}:#{@config[:port]} as '#{@config[:user]}'"
      conn = connect_or_create
      begin
        lock!(conn)
        if @migrate_only
          create_metadata_tables(conn)
          migrate(conn)
        elsif @created
          # db:setup (the rescue of NoDatabaseError) loads and seeds; it does not migrate.
          load_schema(conn)
          seed(conn)
        elsif table_exists?(conn, "ar_internal_metadata")
          migrate(conn)
        else
          load_schema(conn)
          seed(conn)
          migrate(conn)
        end
        load_installation_config(conn)
      ensure
        conn.close unless conn.finished?
      end
      summary = @actions.empty? ? "nothing to do" : @actions.join(", ")
      say "#{task} done: #{summary}"
    rescue Abort => e
      warn e.message
      exit 1
    rescue PG::Error, Redis::BaseError, Standin::Error, ActiveRecord::ActiveRecordError => e
      warn "bin/rails aborted!"
      warn "#{e.class}: #{e.message.strip}"
      exit 1
    end

    private

    def task
      @migrate_only ? "db:migrate" : "db:chatwoot_prepare"
    end

    # ActiveRecord's PostgreSQL adapter calls any failed connection whose message names the database a
    # NoDatabaseError (postgresql_adapter.rb #new_client @ v7.1.5.2), and db:chatwoot_prepare answers that
    # with db:setup: so does the stand-in, whatever the real cause was.
    def connect_or_create
      Standin.pg_connect
    rescue PG::ConnectionBad => e
      raise if @dbname == "postgres" || !e.message.include?(@dbname.to_s)

      if @migrate_only
        raise Abort, "bin/rails aborted!\nActiveRecord::NoDatabaseError: We could not find your database: " \
                     "#{@dbname}. Available database configurations can be found in config/database.yml."
      end
      create_database
      @created = true
      Standin.pg_connect
    end

    # As `rails db:create`: through the maintenance database "postgres" (or "template1").
    def create_database
      admin = begin
        Standin.pg_connect(dbname: "postgres")
      rescue PG::ConnectionBad
        Standin.pg_connect(dbname: "template1")
      end
      begin
        admin.exec("CREATE DATABASE #{admin.quote_ident(@dbname)} ENCODING 'utf8'")
      ensure
        admin.close
      end
      say "Created database '#{@dbname}'"
      @actions << "created database"
    rescue PG::Error => e
      raise Abort, "Couldn't create '#{@dbname}' database. Please check your configuration.\n" \
                   "bin/rails aborted!\nActiveRecord::StatementInvalid: #{e.class}: #{e.message.strip}"
    end

    def lock!(conn)
      key = (Zlib.crc32(@dbname) * 2_053_462_845) % (2**63)
      locked = conn.exec_params("SELECT pg_try_advisory_lock($1::bigint)", [key]).getvalue(0, 0)
      return if locked == "t"

      raise Abort, "ActiveRecord::ConcurrentMigrationError: Cannot run migrations because another " \
                   "migration process is currently running."
    end

    def table_exists?(conn, name)
      !conn.exec_params("SELECT to_regclass($1)", [name]).getvalue(0, 0).nil?
    end

    # A failed `enable_extension` of db/schema.rb, as `rails` prints it: rake's "aborted!", the
    # ActiveRecord::StatementInvalid wrapping Postgres' own error (e.g. 'permission denied to create extension
    # "pg_stat_statements"' with its HINT), the cause, the task.
    def enable_schema_extension(conn, name)
      conn.exec("CREATE EXTENSION IF NOT EXISTS #{conn.quote_ident(name)}")
    rescue PG::Error => e
      first, rest = e.message.strip.split("\n", 2)
      detail = ["#{e.class}: #{first}", rest].compact
      raise Abort, ["bin/rails aborted!",
                    "ActiveRecord::StatementInvalid: #{detail.first} (ActiveRecord::StatementInvalid)", *detail[1..],
                    "/app/db/schema.rb:#{15 + Schema::EXTENSIONS.index(name)}:in `block in <main>'", "",
                    "Caused by:", "#{detail.first} (#{e.class})", *detail[1..],
                    "Tasks: TOP => db:chatwoot_prepare", "(See full trace by running task with --trace)"].join("\n")
    end

    # A migration's own `enable_extension` (inside its transaction): skipped when the extension is there,
    # and a failure raises the migration's own message (e.g. CreateCaptainTables' "Failed to enable 'vector'
    # extension. Read more at https://chwt.app/v4/migration").
    def apply(conn, migration)
      if migration.extension &&
         conn.exec_params("SELECT 1 FROM pg_extension WHERE extname = $1", [migration.extension]).ntuples.zero?
        begin
          conn.exec("SAVEPOINT standin_extension")
          conn.exec("CREATE EXTENSION IF NOT EXISTS #{conn.quote_ident(migration.extension)}")
          conn.exec("RELEASE SAVEPOINT standin_extension")
        rescue PG::Error => e
          raise MigrationFailure, migration.extension_failure || "#{e.class}: #{e.message.strip}"
        end
      end
      conn.exec(migration.sql)
    end

    class MigrationFailure < StandardError; end

    def now_sql
      "now() AT TIME ZONE 'utc'"
    end

    # As Rails 7.1's schema load (tasks/database_tasks.rb #load_schema, schema.rb #define): no transaction;
    # the extensions first, each on its own; then every table with `force: :cascade`; then the versions of
    # every migration up to the schema's, and ar_internal_metadata last.
    def load_schema(conn)
      Schema::EXTENSIONS.each { |name| enable_schema_extension(conn, name) }
      TABLES.each { |t| conn.exec("DROP TABLE IF EXISTS #{conn.quote_ident(t)} CASCADE") }
      conn.exec(Schema::BASE_SQL)
      conn.exec(Schema::API_SQL)
      Schema.shipped.each { |m| conn.exec(m.sql) }
      Schema.shipped.each do |m|
        conn.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", [m.version])
      end
      conn.exec_params(<<~SQL, [Standin.env, Zlib.crc32(Schema::BASE_SQL + Schema::API_SQL + Schema.schema_version).to_s(16)])
        INSERT INTO ar_internal_metadata (key, value, created_at, updated_at)
        VALUES ('environment', $1, #{now_sql}, #{now_sql}), ('schema_sha1', $2, #{now_sql}, #{now_sql})
      SQL
      say "Loaded schema into '#{@dbname}' (schema version #{Schema.schema_version}, " \
          "#{Schema.shipped.size} migration(s) recorded)"
      @actions << "loaded schema"
    end

    # db/seeds.rb: GlobalConfig.clear_cache, ConfigLoader (lib/standin/accounts.rb) with the real models, then in
    # production the onboarding key; the development data otherwise.
    def seed(conn)
      require_relative "accounts"
      GlobalConfig.clear_cache
      ConfigLoader.new.process
      say "Seeded installation_configs (#{InstallationConfig.count} rows)"
      if Standin.production?
        # Production seeds create no user: the first visitor of / is sent to onboarding.
        Redis::Alfred.set(Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING, true)
        say "Seeded onboarding flag: SET #{Standin::ONBOARDING_KEY} true (no user created)"
      else
        conn.exec("BEGIN")
        seed_development(conn)
        conn.exec("COMMIT")
      end
      @actions << "seeded"
    rescue PG::Error
      conn.exec("ROLLBACK") rescue nil # rubocop:disable Style/RescueModifier
      raise
    end

    # lib/tasks/db_enhancements.rake: every db:migrate ends with ConfigLoader (missing settings only) once
    # installation_configs exists.
    def load_installation_config(conn)
      return unless table_exists?(conn, "installation_configs")

      require_relative "accounts"
      say "Loading Installation config"
      ConfigLoader.new.process
    end

    # As Chatwoot's development seeds: an account and the super admin john@acme.inc.
    def seed_development(conn)
      account_id = conn.exec(<<~SQL).getvalue(0, 0)
        INSERT INTO accounts (name, created_at, updated_at) VALUES ('Acme Inc', #{now_sql}, #{now_sql}) RETURNING id
      SQL
      require "bcrypt"
      user_id = conn.exec_params(<<~SQL, [BCrypt::Password.create("Password1!", cost: 11).to_s]).getvalue(0, 0)
        INSERT INTO users (email, uid, name, encrypted_password, type, confirmed_at, created_at, updated_at)
        VALUES ('john@acme.inc', 'john@acme.inc', 'John', $1, 'SuperAdmin', #{now_sql}, #{now_sql}, #{now_sql})
        RETURNING id
      SQL
      conn.exec_params(<<~SQL, [account_id, user_id])
        INSERT INTO account_users (account_id, user_id, role, created_at, updated_at)
        VALUES ($1, $2, 1, #{now_sql}, #{now_sql})
      SQL
      inbox_id = conn.exec_params(<<~SQL, [account_id]).getvalue(0, 0)
        INSERT INTO inboxes (account_id, name, channel_type, created_at, updated_at)
        VALUES ($1, 'Acme Support', 'Channel::WebWidget', #{now_sql}, #{now_sql}) RETURNING id
      SQL
      conversation_id = conn.exec_params(<<~SQL, [account_id, inbox_id]).getvalue(0, 0)
        INSERT INTO conversations (account_id, inbox_id, display_id, status, created_at, updated_at)
        VALUES ($1, $2, 1, 0, #{now_sql}, #{now_sql}) RETURNING id
      SQL
      conn.exec_params(<<~SQL, [account_id, conversation_id])
        INSERT INTO messages (account_id, conversation_id, content, message_type, created_at, updated_at)
        VALUES ($1, $2, 'Hello', 0, #{now_sql}, #{now_sql})
      SQL
      say "Seeded development data: account 'Acme Inc', super admin john@acme.inc"
    end

    # db:migrate creates Rails' bookkeeping tables first, as Rails does.
    def create_metadata_tables(conn)
      conn.exec(<<~SQL)
        CREATE TABLE IF NOT EXISTS schema_migrations (version character varying PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS ar_internal_metadata (
          key character varying PRIMARY KEY, value character varying,
          created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL
        );
      SQL
    end

    def migrate(conn)
      applied = conn.exec("SELECT version FROM schema_migrations").column_values(0)
      pending = Schema.runnable.reject { |m| applied.include?(m.version) }.sort_by(&:version)
      unless table_exists?(conn, "accounts")
        # Chatwoot's migrations cannot build its schema from nothing: plain db:migrate
        # on a fresh database fails (db:chatwoot_prepare loads the schema instead).
        first = pending.first || Schema::MIGRATIONS.first
        raise Abort, "bin/rails aborted!\nStandardError: An error has occurred, this and all later migrations " \
                     "canceled: (StandardError)\n\nPG::UndefinedTable: ERROR:  relation \"accounts\" does not " \
                     "exist\nCaused by migration #{first.version} #{first.name}: the database has no Chatwoot " \
                     "schema (run db:chatwoot_prepare, which loads it)"
      end
      unknown = applied - Schema.runnable.map(&:version)
      unless unknown.empty?
        say "Note: schema_migrations has #{unknown.size} version(s) this build does not know " \
            "(#{unknown.sort.join(', ')}): the database was migrated by a newer image"
      end
      if pending.empty?
        say "Migrations: nothing pending (database '#{@dbname}' is at the schema of Chatwoot #{Standin.version})"
        return
      end

      pending.each { |m| run_migration(conn, m) }
      @actions << "migrated #{pending.size}"
    end

    def run_migration(conn, migration)
      say "== #{migration.version} #{migration.name}: migrating ".ljust(79, "=")
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      conn.exec("BEGIN")
      apply(conn, migration)
      conn.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", [migration.version])
      conn.exec_params(<<~SQL, [Standin.env])
        INSERT INTO ar_internal_metadata (key, value, created_at, updated_at)
        VALUES ('environment', $1, #{now_sql}, #{now_sql})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
      SQL
      conn.exec("COMMIT")
      took = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
      say "== #{migration.version} #{migration.name}: migrated (#{format('%.4f', took)}s) ".ljust(79, "=")
    rescue PG::Error, MigrationFailure => e
      conn.exec("ROLLBACK") rescue nil # rubocop:disable Style/RescueModifier
      cause = e.is_a?(MigrationFailure) ? e.message : "#{e.class}: #{e.message.strip}"
      raise Abort, "bin/rails aborted!\nStandardError: An error has occurred, this and all later migrations " \
                   "canceled: (StandardError)\n\n#{cause}\n" \
                   "Caused by migration #{migration.version} #{migration.name}"
    end
  end
end
