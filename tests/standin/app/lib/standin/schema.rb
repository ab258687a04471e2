# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: a small, honest schema and a versioned list
# of migrations. Each migration is tagged with the first Chatwoot version that
# ships it; an image built with CHATWOOT_VERSION=X knows every migration whose
# tag is <= X. Loading the schema (fresh database) applies the base schema plus
# every known migration and records their versions, as a Rails schema load does;
# on an existing database only the known-but-not-applied migrations run.

require "rubygems" # Gem::Version

module Standin
  module Schema
    Migration = Struct.new(:version, :since, :name, :extension, :extension_failure, :sql, keyword_init: true)

    # db/schema.rb (@ v4.15.1, the same in v4.4.0 and v4.10.0) starts with these, in this order, each as
    # `enable_extension "NAME"`, which Rails 7.1 runs as CREATE EXTENSION IF NOT EXISTS "NAME" outside any
    # transaction (activerecord postgresql/schema_statements.rb, tasks/database_tasks.rb #load_schema).
    # pg_stat_statements and vector are not trusted extensions: a role that is no superuser cannot create
    # them unless they exist already (the real Postgres decides; the stand-in only asks it).
    EXTENSIONS = %w[pg_stat_statements pg_trgm pgcrypto plpgsql vector].freeze

    # The tables every Chatwoot database has had since long before 4.0.
    BASE_SQL = <<~SQL
      CREATE TABLE ar_internal_metadata (
        key character varying PRIMARY KEY,
        value character varying,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE TABLE schema_migrations (
        version character varying PRIMARY KEY
      );
      CREATE TABLE installation_configs (
        id bigserial PRIMARY KEY,
        name character varying NOT NULL,
        serialized_value jsonb DEFAULT '{}'::jsonb NOT NULL,
        locked boolean DEFAULT true NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_installation_configs_on_name ON installation_configs (name);
      CREATE TABLE accounts (
        id serial PRIMARY KEY,
        name character varying NOT NULL,
        locale integer DEFAULT 0,
        domain character varying(100),
        support_email character varying(100),
        feature_flags bigint DEFAULT 0 NOT NULL,
        limits jsonb DEFAULT '{}'::jsonb,
        custom_attributes jsonb DEFAULT '{}'::jsonb,
        status integer DEFAULT 0,
        internal_attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
        settings jsonb DEFAULT '{}'::jsonb,
        created_at timestamp without time zone NOT NULL,
        updated_at timestamp without time zone NOT NULL
      );
      -- users, account_users, access_tokens, platform_apps, platform_app_permissibles, inboxes: the columns and
      -- indexes of Chatwoot's db/schema.rb (v4.15.1) that the first administrator, the Platform App and the APIs
      -- (lib/standin/api/) touch. The tables only the APIs use are in api_schema.rb.
      CREATE TABLE users (
        id serial PRIMARY KEY,
        provider character varying DEFAULT 'email'::character varying NOT NULL,
        uid character varying DEFAULT ''::character varying NOT NULL,
        encrypted_password character varying DEFAULT ''::character varying NOT NULL,
        confirmation_token character varying,
        confirmed_at timestamp without time zone,
        name character varying NOT NULL,
        display_name character varying,
        email character varying,
        tokens json,
        pubsub_token character varying,
        availability integer DEFAULT 0,
        ui_settings jsonb DEFAULT '{}'::jsonb,
        custom_attributes jsonb DEFAULT '{}'::jsonb,
        type character varying,
        message_signature text,
        created_at timestamp without time zone NOT NULL,
        updated_at timestamp without time zone NOT NULL
      );
      CREATE INDEX index_users_on_email ON users (email);
      CREATE UNIQUE INDEX index_users_on_pubsub_token ON users (pubsub_token);
      CREATE UNIQUE INDEX index_users_on_uid_and_provider ON users (uid, provider);
      CREATE TABLE account_users (
        id bigserial PRIMARY KEY,
        account_id bigint,
        user_id bigint,
        role integer DEFAULT 0,
        inviter_id bigint,
        active_at timestamp without time zone,
        availability integer DEFAULT 0 NOT NULL,
        auto_offline boolean DEFAULT true NOT NULL,
        custom_role_id bigint,
        agent_capacity_policy_id bigint,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX uniq_user_id_per_account_id ON account_users (account_id, user_id);
      CREATE TABLE access_tokens (
        id bigserial PRIMARY KEY,
        owner_type character varying,
        owner_id bigint,
        token character varying,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE INDEX index_access_tokens_on_owner_type_and_owner_id ON access_tokens (owner_type, owner_id);
      CREATE UNIQUE INDEX index_access_tokens_on_token ON access_tokens (token);
      CREATE TABLE platform_apps (
        id bigserial PRIMARY KEY,
        name character varying NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE TABLE platform_app_permissibles (
        id bigserial PRIMARY KEY,
        platform_app_id bigint NOT NULL,
        permissible_type character varying NOT NULL,
        permissible_id bigint NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX unique_permissibles_index ON platform_app_permissibles (platform_app_id, permissible_id, permissible_type);
      CREATE TABLE inboxes (
        id bigserial PRIMARY KEY,
        channel_id integer,
        account_id bigint NOT NULL REFERENCES accounts (id),
        name character varying NOT NULL,
        channel_type character varying,
        enable_auto_assignment boolean DEFAULT true,
        greeting_enabled boolean DEFAULT false,
        greeting_message character varying,
        email_address character varying,
        working_hours_enabled boolean DEFAULT false,
        out_of_office_message character varying,
        timezone character varying DEFAULT 'UTC',
        enable_email_collect boolean DEFAULT true,
        csat_survey_enabled boolean DEFAULT false,
        allow_messages_after_resolved boolean DEFAULT true,
        auto_assignment_config jsonb DEFAULT '{}'::jsonb,
        lock_to_single_conversation boolean DEFAULT false NOT NULL,
        portal_id bigint,
        sender_name_type integer DEFAULT 0 NOT NULL,
        business_name character varying,
        csat_config jsonb DEFAULT '{}'::jsonb NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE INDEX index_inboxes_on_channel_id_and_channel_type ON inboxes (channel_id, channel_type);
      CREATE TABLE conversations (
        id bigserial PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES accounts (id),
        inbox_id bigint REFERENCES inboxes (id),
        display_id integer NOT NULL,
        status integer DEFAULT 0 NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE TABLE portals (
        id bigserial PRIMARY KEY,
        account_id integer NOT NULL,
        name character varying NOT NULL,
        slug character varying NOT NULL,
        custom_domain character varying,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_portals_on_custom_domain ON portals (custom_domain);
      CREATE TABLE messages (
        id bigserial PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES accounts (id),
        conversation_id bigint NOT NULL REFERENCES conversations (id),
        content text,
        message_type integer NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
    SQL

    # version (timestamp, as Rails names migrations), since (first CHATWOOT_VERSION
    # shipping it), name, SQL. Keep sorted by version.
    MIGRATIONS = [
      # db/migrate/20250104200055_create_captain_tables.rb (in v4.0.0): enables vector unless it is enabled,
      # raising its own message when that fails; only a database migrated up from 3.x runs it (a schema load
      # records it as done). The stand-in keeps one of its tables.
      Migration.new(
        version: "20250104200055", since: "4.0.0", name: "CreateCaptainTables",
        extension: "vector",
        extension_failure: "Failed to enable 'vector' extension. Read more at https://chwt.app/v4/migration",
        sql: <<~SQL
          CREATE TABLE article_embeddings (
            id bigserial PRIMARY KEY,
            article_id bigint NOT NULL,
            term text NOT NULL,
            embedding vector(1536),
            created_at timestamp(6) without time zone NOT NULL,
            updated_at timestamp(6) without time zone NOT NULL
          );
        SQL
      ),
      # The stand-in's own (not Chatwoot's) migrations, so that upgrades between its builds change a schema.
      Migration.new(
        version: "20250910000000", since: "4.15.0", name: "AddIndexOnMessagesConversationIdCreatedAt",
        sql: "CREATE INDEX index_messages_on_conversation_id_and_created_at ON messages (conversation_id, created_at);"
      ),
      Migration.new(
        version: "20260120000000", since: "4.16.0", name: "AddStandinAddedIn416ToAccounts",
        sql: "ALTER TABLE accounts ADD COLUMN standin_added_in_4_16 boolean DEFAULT false NOT NULL;"
      )
    ].freeze

    # STANDIN_FAULT=migrate: a migration that commits a real change (a new table), then one that always fails
    # (neither is ever part of a schema load). Rails runs each migration in its own transaction
    # (activerecord migration.rb #ddl_transaction @ v7.1.5.2), so the first stays when the second fails.
    FAULT_MIGRATIONS = [
      Migration.new(
        version: "20991231235958", since: "0", name: "StandinFaultCommittedMigration",
        sql: <<~SQL
          CREATE TABLE standin_fault_committed (
            id bigserial PRIMARY KEY,
            note character varying DEFAULT 'committed before the failing migration' NOT NULL,
            created_at timestamp(6) without time zone DEFAULT now() NOT NULL
          );
        SQL
      ),
      Migration.new(
        version: "20991231235959", since: "0", name: "StandinFaultBrokenMigration",
        sql: "ALTER TABLE standin_fault_table_that_does_not_exist ADD COLUMN broken integer;"
      )
    ].freeze

    module_function

    def shipped
      current = Gem::Version.new(Standin.version.sub(/[-+].*\z/, ""))
      MIGRATIONS.select { |m| Gem::Version.new(m.since) <= current }
    end

    # Migrations this build runs with db:migrate (the fault one only in a faulty build).
    def runnable
      Standin.fault == "migrate" ? shipped + FAULT_MIGRATIONS : shipped
    end

    def schema_version
      shipped.map(&:version).max || "0"
    end
  end
end
