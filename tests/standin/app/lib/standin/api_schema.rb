# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the tables only the Platform and Application APIs the stand-in answers
# (lib/standin/api/) use, loaded by `db:chatwoot_prepare` right after Schema::BASE_SQL (which has the tables the
# first administrator shares with them: users, accounts, account_users, access tokens, platform apps, inboxes).
# Columns, defaults and unique indexes are those of Chatwoot's db/schema.rb @ v4.15.1 that the endpoints read or
# write.

module Standin
  module Schema
    API_TABLES = %w[channel_api channel_web_widgets channel_email inbox_members working_hours teams team_members
                    webhooks labels canned_responses].freeze

    API_SQL = <<~SQL
      CREATE TABLE channel_api (
        id bigserial PRIMARY KEY,
        account_id integer NOT NULL,
        webhook_url character varying,
        identifier character varying,
        hmac_token character varying,
        hmac_mandatory boolean DEFAULT false,
        additional_attributes jsonb DEFAULT '{}'::jsonb,
        secret character varying,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_channel_api_on_hmac_token ON channel_api (hmac_token);
      CREATE UNIQUE INDEX index_channel_api_on_identifier ON channel_api (identifier);
      CREATE TABLE channel_web_widgets (
        id serial PRIMARY KEY,
        website_url character varying,
        account_id integer,
        website_token character varying,
        widget_color character varying DEFAULT '#1f93ff',
        welcome_title character varying,
        welcome_tagline character varying,
        feature_flags integer DEFAULT 7 NOT NULL,
        reply_time integer DEFAULT 0,
        hmac_token character varying,
        pre_chat_form_enabled boolean DEFAULT false,
        pre_chat_form_options jsonb DEFAULT '{}'::jsonb,
        hmac_mandatory boolean DEFAULT false,
        continuity_via_email boolean DEFAULT true NOT NULL,
        allowed_domains text DEFAULT '',
        created_at timestamp without time zone NOT NULL,
        updated_at timestamp without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_channel_web_widgets_on_hmac_token ON channel_web_widgets (hmac_token);
      CREATE UNIQUE INDEX index_channel_web_widgets_on_website_token ON channel_web_widgets (website_token);
      CREATE TABLE channel_email (
        id bigserial PRIMARY KEY,
        account_id integer NOT NULL,
        email character varying NOT NULL,
        forward_to_email character varying NOT NULL,
        imap_enabled boolean DEFAULT false,
        imap_address character varying DEFAULT '',
        imap_port integer DEFAULT 0,
        imap_login character varying DEFAULT '',
        imap_password character varying DEFAULT '',
        imap_enable_ssl boolean DEFAULT true,
        smtp_enabled boolean DEFAULT false,
        smtp_address character varying DEFAULT '',
        smtp_port integer DEFAULT 0,
        smtp_login character varying DEFAULT '',
        smtp_password character varying DEFAULT '',
        smtp_domain character varying DEFAULT '',
        smtp_enable_starttls_auto boolean DEFAULT true,
        smtp_authentication character varying DEFAULT 'login',
        smtp_openssl_verify_mode character varying DEFAULT 'none',
        smtp_enable_ssl_tls boolean DEFAULT false,
        provider_config jsonb DEFAULT '{}'::jsonb,
        provider character varying,
        imap_authentication character varying DEFAULT 'plain',
        verified_for_sending boolean DEFAULT false NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_channel_email_on_email ON channel_email (email);
      CREATE UNIQUE INDEX index_channel_email_on_forward_to_email ON channel_email (forward_to_email);
      CREATE TABLE inbox_members (
        id serial PRIMARY KEY,
        user_id integer NOT NULL,
        inbox_id integer NOT NULL,
        created_at timestamp without time zone NOT NULL,
        updated_at timestamp without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_inbox_members_on_inbox_id_and_user_id ON inbox_members (inbox_id, user_id);
      CREATE TABLE working_hours (
        id bigserial PRIMARY KEY,
        inbox_id bigint,
        account_id bigint,
        day_of_week integer NOT NULL,
        closed_all_day boolean DEFAULT false,
        open_hour integer,
        open_minutes integer,
        close_hour integer,
        close_minutes integer,
        open_all_day boolean DEFAULT false,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE TABLE teams (
        id bigserial PRIMARY KEY,
        name character varying NOT NULL,
        description text,
        allow_auto_assign boolean DEFAULT true,
        account_id bigint NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_teams_on_name_and_account_id ON teams (name, account_id);
      CREATE TABLE team_members (
        id bigserial PRIMARY KEY,
        team_id bigint NOT NULL,
        user_id bigint NOT NULL,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_team_members_on_team_id_and_user_id ON team_members (team_id, user_id);
      CREATE TABLE webhooks (
        id bigserial PRIMARY KEY,
        account_id integer,
        inbox_id integer,
        url text,
        webhook_type integer DEFAULT 0,
        subscriptions jsonb DEFAULT '["conversation_status_changed", "conversation_updated", "conversation_created", "contact_created", "contact_updated", "message_created", "message_updated", "webwidget_triggered"]'::jsonb,
        name character varying,
        secret character varying,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_webhooks_on_account_id_and_url ON webhooks (account_id, url);
      CREATE TABLE labels (
        id bigserial PRIMARY KEY,
        title character varying,
        description text,
        color character varying DEFAULT '#1f93ff' NOT NULL,
        show_on_sidebar boolean,
        account_id bigint,
        created_at timestamp(6) without time zone NOT NULL,
        updated_at timestamp(6) without time zone NOT NULL
      );
      CREATE UNIQUE INDEX index_labels_on_title_and_account_id ON labels (title, account_id);
      CREATE TABLE canned_responses (
        id serial PRIMARY KEY,
        account_id integer NOT NULL,
        short_code character varying,
        content text,
        created_at timestamp without time zone NOT NULL,
        updated_at timestamp without time zone NOT NULL
      );
    SQL
  end
end
