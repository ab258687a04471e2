# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the models behind the Platform and Application APIs (lib/standin/api/), on the
# real ActiveRecord, under Chatwoot's names, with only the behaviour read from Chatwoot 4.15.1's source:
#   app/models/inbox.rb                 name required, timezone a TZInfo identifier, message lengths, channel
#                                       required (polymorphic), sender_name_type enum, order_by_name lower(name)
#   app/models/concerns/out_of_offisable.rb  seven default working hours after create, weekly_schedule
#   app/models/channel/api.rb           has_secure_token identifier, hmac_token; WebhookSecretable secret;
#                                       webhook_url at most Limits::URL_LENGTH_LIMIT (lib/limits.rb, 2048)
#   app/models/channel/web_widget.rb    website_url and widget_color required, default pre-chat options,
#                                       tokens, reply_time enum, FlagShihTzu feature flags 1..5 in feature_flags
#   app/models/channel/email.rb         email and forward_to_email unique (across accounts), forward_to_email
#                                       "<hex>@<account.inbound_email_domain>" on create
#   app/models/inbox_member.rb, team_member.rb, team.rb (name downcased, unique per account),
#   app/models/webhook.rb (url unique per account and URI::DEFAULT_PARSER.make_regexp(%w[http https]),
#   subscriptions an Array of ALLOWED_WEBHOOK_EVENTS, not blank), app/models/label.rb (title downcased,
#   lib/regex_helper.rb UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE, unique per account, default_scope by title),
#   app/models/canned_response.rb (short_code and content required, short_code unique per account)
# Account and User, which the first administrator uses too, are lib/standin/records.rb's.
# Callbacks that talk to other services (round robin queues, events, audit logs, caches) are not imitated.

require "uri"
require "securerandom"
require "tzinfo"
require_relative "../records"

# lib/limits.rb
module Limits
  URL_LENGTH_LIMIT = 2048
  OUT_OF_OFFICE_MESSAGE_MAX_LENGTH = 10_000
  GREETING_MESSAGE_MAX_LENGTH = 10_000
end

# lib/regex_helper.rb
module RegexHelper
  UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE = Regexp.new('\A[\p{L}\p{N}]+[\p{L}\p{N}_-]+\Z')
end

# Current (app/models/current.rb) is lib/standin/accounts.rb's; the API sets it per request.
require_relative "../accounts"

# app/models/concerns/webhook_secretable.rb (encryption not imitated)
module WebhookSecretable
  extend ActiveSupport::Concern
  included do
    has_secure_token :secret
  end
end

# app/models/concerns/channelable.rb
module Channelable
  extend ActiveSupport::Concern
  included do
    validates :account_id, presence: true
    belongs_to :account
    has_one :inbox, as: :channel
  end
end

module Channel
  class Api < ApplicationRecord
    include Channelable

    self.table_name = "channel_api"
    EDITABLE_ATTRS = [:webhook_url, :hmac_mandatory, { additional_attributes: {} }].freeze

    has_secure_token :identifier
    has_secure_token :hmac_token
    include WebhookSecretable
    validate :ensure_valid_agent_reply_time_window
    validates :webhook_url, length: { maximum: Limits::URL_LENGTH_LIMIT }

    def name
      "API"
    end

    private

    def ensure_valid_agent_reply_time_window
      return if additional_attributes["agent_reply_time_window"].blank?
      return if additional_attributes["agent_reply_time_window"].to_i.positive?

      errors.add(:agent_reply_time_window, "agent_reply_time_window must be greater than 0")
    end
  end

  class WebWidget < ApplicationRecord
    include Channelable

    self.table_name = "channel_web_widgets"
    EDITABLE_ATTRS = [:website_url, :widget_color, :welcome_title, :welcome_tagline, :reply_time, :pre_chat_form_enabled,
                      :continuity_via_email, :hmac_mandatory, :allowed_domains,
                      { pre_chat_form_options: [:pre_chat_message, :require_email,
                                                { pre_chat_fields:
                                                  [:field_type, :label, :placeholder, :name, :enabled, :type, :enabled,
                                                   :required, :locale, { values: [] }, :regex_pattern, :regex_cue] }] },
                      { selected_feature_flags: [] }].freeze
    # has_flags 1 => :attachments, ... (FlagShihTzu: flag N is bit 2**(N-1) of feature_flags)
    FLAGS = { attachments: 1, emoji_picker: 2, end_conversation: 4, use_inbox_avatar_for_bot: 8,
              allow_mobile_webview: 16 }.freeze

    before_validation :validate_pre_chat_options
    validates :website_url, presence: true
    validates :widget_color, presence: true

    has_secure_token :website_token
    has_secure_token :hmac_token

    enum :reply_time, { in_a_few_minutes: 0, in_a_few_hours: 1, in_a_day: 2 }

    def name
      "Website"
    end

    # FlagShihTzu's selected_<column> for the column feature_flags, as symbols (rendered as strings).
    def selected_feature_flags
      FLAGS.select { |_flag, bit| (feature_flags.to_i & bit).positive? }.keys
    end

    # FlagShihTzu's setter: the flags named are set, every other one cleared (unknown names ignored).
    def selected_feature_flags=(names)
      wanted = Array(names).map(&:to_s)
      self.feature_flags = FLAGS.sum { |flag, bit| wanted.include?(flag.to_s) ? bit : 0 }
    end

    def web_widget_script
      "\n    <script>\n      (function(d,t) {\n        var BASE_URL=\"#{ENV.fetch('FRONTEND_URL', '')}\";\n" \
        "        var g=d.createElement(t),s=d.getElementsByTagName(t)[0];\n        g.src=BASE_URL+\"/packs/js/sdk.js\";\n" \
        "        g.async = true;\n        s.parentNode.insertBefore(g,s);\n        g.onload=function(){\n" \
        "          window.chatwootSDK.run({\n            websiteToken: '#{website_token}',\n            baseUrl: BASE_URL\n" \
        "          })\n        }\n      })(document,\"script\");\n    </script>\n    "
    end

    def validate_pre_chat_options
      return if (pre_chat_form_options || {}).with_indifferent_access["pre_chat_fields"].present?

      self.pre_chat_form_options = {
        pre_chat_message: "Share your queries or comments here.",
        pre_chat_fields: [
          { field_type: "standard", label: "Email Id", name: "emailAddress", type: "email", required: true,
            enabled: false },
          { field_type: "standard", label: "Full name", name: "fullName", type: "text", required: false,
            enabled: false },
          { field_type: "standard", label: "Phone number", name: "phoneNumber", type: "text", required: false,
            enabled: false }
        ]
      }
    end
  end

  class Email < ApplicationRecord
    include Channelable

    self.table_name = "channel_email"
    EDITABLE_ATTRS = [:email, :imap_enabled, :imap_login, :imap_password, :imap_address, :imap_port, :imap_enable_ssl,
                      :imap_authentication, :smtp_enabled, :smtp_login, :smtp_password, :smtp_address, :smtp_port,
                      :smtp_domain, :smtp_enable_starttls_auto, :smtp_enable_ssl_tls, :smtp_openssl_verify_mode,
                      :smtp_authentication, :provider, :verified_for_sending].freeze

    validates :email, uniqueness: true
    validates :forward_to_email, uniqueness: true

    before_validation :ensure_forward_to_email, on: :create

    def name
      "Email"
    end

    private

    def ensure_forward_to_email
      self.forward_to_email ||= "#{SecureRandom.hex}@#{account.inbound_email_domain}"
    end
  end
end

class WorkingHour < ApplicationRecord
  belongs_to :inbox
  before_save { self.account_id = inbox.account_id }
end

class InboxMember < ApplicationRecord
  validates :inbox_id, presence: true
  validates :user_id, presence: true
  validates :user_id, uniqueness: { scope: :inbox_id }

  belongs_to :user
  belongs_to :inbox
end

class Inbox < ApplicationRecord
  validates :name, presence: true
  validates :account_id, presence: true
  validates :timezone, inclusion: { in: TZInfo::Timezone.all_identifiers }
  validates :out_of_office_message, length: { maximum: Limits::OUT_OF_OFFICE_MESSAGE_MAX_LENGTH }
  validates :greeting_message, length: { maximum: Limits::GREETING_MESSAGE_MAX_LENGTH }

  belongs_to :account
  belongs_to :channel, polymorphic: true, dependent: :destroy

  has_many :inbox_members, dependent: :destroy
  has_many :members, through: :inbox_members, source: :user
  has_many :working_hours, dependent: :destroy
  has_many :webhooks, dependent: :destroy
  has_many :conversations, dependent: :destroy

  enum :sender_name_type, { friendly: 0, professional: 1 }

  after_create :create_default_working_hours

  scope :order_by_name, -> { order(Arel.sql("lower(name) ASC")) }

  def add_members(user_ids)
    inbox_members.create!(user_ids.map { |user_id| { user_id: user_id } })
  end

  def remove_members(user_ids)
    inbox_members.where(user_id: user_ids).destroy_all
  end

  def web_widget?
    channel_type == "Channel::WebWidget"
  end

  def api?
    channel_type == "Channel::Api"
  end

  def email?
    channel_type == "Channel::Email"
  end

  def weekly_schedule
    working_hours.sort_by(&:day_of_week).map do |wh|
      { "day_of_week" => wh.day_of_week, "closed_all_day" => wh.closed_all_day, "open_hour" => wh.open_hour,
        "open_minutes" => wh.open_minutes, "close_hour" => wh.close_hour, "close_minutes" => wh.close_minutes,
        "open_all_day" => wh.open_all_day }
    end
  end

  # app/models/inbox.rb: only Twilio, SMS, Line and WhatsApp channels have one; the channels here have none.
  def callback_webhook_url
    nil
  end

  private

  def create_default_working_hours
    working_hours.create!(day_of_week: 0, closed_all_day: true, open_all_day: false)
    (1..5).each do |day|
      working_hours.create!(day_of_week: day, open_hour: 9, open_minutes: 0, close_hour: 17, close_minutes: 0,
                            open_all_day: false)
    end
    working_hours.create!(day_of_week: 6, closed_all_day: true, open_all_day: false)
  end
end

class TeamMember < ApplicationRecord
  belongs_to :user
  belongs_to :team
  validates :user_id, uniqueness: { scope: :team_id }
end

class Team < ApplicationRecord
  belongs_to :account
  has_many :team_members, dependent: :destroy
  has_many :members, through: :team_members, source: :user

  validates :name, presence: { message: "must not be blank" }, uniqueness: { scope: :account_id }

  before_validation do
    self.name = name.downcase if attribute_present?("name")
  end

  # Returns the users of the rows it could create (team_members.create, not create!).
  def add_members(user_ids)
    team_members.create(user_ids.map { |user_id| { user_id: user_id } }).filter_map(&:user)
  end

  def remove_members(user_ids)
    team_members.where(user_id: user_ids).destroy_all
  end
end

class Webhook < ApplicationRecord
  belongs_to :account
  belongs_to :inbox, optional: true

  include WebhookSecretable

  ALLOWED_WEBHOOK_EVENTS = %w[conversation_status_changed conversation_updated conversation_created contact_created
                              contact_updated message_created message_updated webwidget_triggered inbox_created
                              inbox_updated conversation_typing_on conversation_typing_off].freeze

  validates :account_id, presence: true
  validates :url, uniqueness: { scope: [:account_id] }, format: URI::DEFAULT_PARSER.make_regexp(%w[http https])
  validate :validate_webhook_subscriptions
  enum :webhook_type, { account_type: 0, inbox_type: 1 }

  private

  def validate_webhook_subscriptions
    invalid = !subscriptions.instance_of?(Array) || subscriptions.blank? ||
              (subscriptions.uniq - ALLOWED_WEBHOOK_EVENTS).length.positive?
    errors.add(:subscriptions, "Invalid events") if invalid # config/locales/en.yml errors.webhook.invalid
  end
end

class Label < ApplicationRecord
  include RegexHelper

  belongs_to :account

  validates :title, presence: { message: "must not be blank" },
                    format: { with: UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE },
                    uniqueness: { scope: :account_id }

  default_scope { order(:title) }

  before_validation do
    self.title = title.downcase if attribute_present?("title")
  end
end

class CannedResponse < ApplicationRecord
  validates :content, presence: true
  validates :short_code, presence: true
  validates :account, presence: true
  validates :short_code, uniqueness: { scope: :account_id }

  belongs_to :account
end

# What a created message sends to the webhooks (webhooks.rb).
require_relative "webhooks"
