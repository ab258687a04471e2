# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the ActiveRecord models the collection's `rails runner` scripts and the
# onboarding form use, on the REAL ActiveRecord (Debian's ruby-activerecord 7.2; Chatwoot 4.15.1 runs Rails 7.1)
# against the stand-in's Postgres. Each class keeps Chatwoot's name and only the behaviour read from Chatwoot's
# source (paths relative to chatwoot/chatwoot at v4.15.1), so a script written for the real image runs here
# unchanged and fails where Chatwoot would:
#   app/models/installation_config.rb   YAML coder in the jsonb column, set_lock, after_commit clear_cache
#   app/models/user.rb, super_admin.rb   STI type, downcased email, uid = email, devise rules (below)
#   app/models/account.rb, account_user.rb, access_token.rb, concerns/access_tokenable.rb,
#   concerns/pubsubable.rb, platform_app.rb, platform_app_permissible.rb
#   app/models/account.rb, user.rb, concerns/user_attribute_helpers.rb: the associations and methods the APIs use
#   (lib/standin/api/models.rb has the models only the APIs have); enterprise/app/models/enterprise/account/
#   plan_usage_and_limits.rb: the EE limits keys
#   config/initializers/devise.rb        password_length 6..128, email_regexp, stretches 11
#   config/initializers/secure_password.rb + the gem devise-secure_password (chatwoot fork, revision adcc85fe):
#                                        one upper, lower, digit and special character; any other character refused
#   config/application.rb                yaml_column_permitted_classes = [HashWithIndifferentAccess]; load_defaults 7.0
#                                        (belongs_to required unless optional)
# Devise itself is not here: only the parts of it that these models rely on (validatable, confirmable, the
# bcrypt password) are imitated.

require "active_record"
require "active_support/core_ext/hash/indifferent_access"
require "bcrypt"
require "yaml"
require_relative "core"
require_relative "alfred"

module Standin
  module Records
    module_function

    # Chatwoot's config/database.yml through Standin.db_config (POSTGRES_*, DATABASE_URL), and
    # POSTGRES_STATEMENT_TIMEOUT as the session's statement_timeout.
    def connect!
      return if ActiveRecord::Base.connected?

      config = Standin.db_config
      spec = { adapter: "postgresql", host: config[:host], port: config[:port], username: config[:user],
               password: config[:password], database: config[:dbname], pool: 10,
               variables: { statement_timeout: Standin.statement_timeout } }
      %i[sslmode sslrootcert connect_timeout application_name].each { |k| spec[k] = config[k] if config[k] }
      ActiveRecord::Base.establish_connection(spec)
    end
  end
end

ActiveRecord.yaml_column_permitted_classes = [ActiveSupport::HashWithIndifferentAccess]
# config/application.rb: load_defaults 7.0, so a belongs_to is required unless optional ("User must exist",
# "Channel must exist"); plain ActiveRecord leaves it off.
ActiveRecord::Base.belongs_to_required_by_default = true
ActiveRecord::Base.logger = nil
I18n.available_locales = [:en]
I18n.default_locale = :en
I18n.enforce_available_locales = false

class ApplicationRecord < ActiveRecord::Base
  self.abstract_class = true
end

# app/models/concerns/access_tokenable.rb: a token for every owner, made after create.
module AccessTokenable
  extend ActiveSupport::Concern
  included do
    has_one :access_token, as: :owner, dependent: :destroy
    after_create :create_access_token
  end

  def create_access_token
    AccessToken.create!(owner: self)
  end
end

# app/models/access_token.rb
class AccessToken < ApplicationRecord
  has_secure_token :token
  belongs_to :owner, polymorphic: true
end

# app/models/installation_config.rb
class InstallationConfig < ApplicationRecord
  serialize :serialized_value, coder: YAML, type: ActiveSupport::HashWithIndifferentAccess,
                               default: {}.with_indifferent_access

  before_validation :set_lock
  validates :name, presence: true

  default_scope { order(created_at: :desc) }
  scope :editable, -> { where(locked: false) }

  after_commit :clear_cache

  def value
    serialized_value[:value]
  end

  def value=(value_to_assigned)
    self.serialized_value = { value: value_to_assigned }.with_indifferent_access
  end

  private

  def set_lock
    self.locked = true if locked.nil?
  end

  def clear_cache
    GlobalConfig.clear_cache
  end
end

# app/models/account.rb: name required, domain at most 100, status and locale enums (config/initializers/languages.rb:
# LANGUAGES_CONFIG's iso_639_1_code => index).
class Account < ApplicationRecord
  LOCALES = %w[en ar nl fr de hi it ja ko pt ru zh es ml ca el pt_BR ro ta fa zh_TW vi da tr cs fi id sv hu no zh_CN pl
               sk uk th lv is he lt sr bg et].each_with_index.to_h.freeze
  validates :name, presence: true
  validates :domain, length: { maximum: 100 }
  enum :locale, LOCALES, prefix: true
  enum :status, { active: 0, suspended: 1 }

  has_many :account_users, dependent: :destroy
  has_many :users, through: :account_users
  has_many :inboxes, dependent: :destroy
  has_many :api_channels, class_name: "::Channel::Api", dependent: :destroy
  has_many :web_widgets, class_name: "::Channel::WebWidget", dependent: :destroy
  has_many :email_channels, class_name: "::Channel::Email", dependent: :destroy
  has_many :teams, dependent: :destroy
  has_many :webhooks, dependent: :destroy
  has_many :labels, dependent: :destroy
  has_many :canned_responses, dependent: :destroy

  validate :validate_support_email_format, if: :will_save_change_to_support_email?
  before_validation :validate_limit_keys

  # Blank: MAILER_SENDER_EMAIL, else the setting MAILER_SUPPORT_EMAIL.
  def support_email
    super.presence || ENV.fetch("MAILER_SENDER_EMAIL") { GlobalConfig.get("MAILER_SUPPORT_EMAIL")["MAILER_SUPPORT_EMAIL"] }
  end

  def inbound_email_domain
    domain.presence || GlobalConfig.get("MAILER_INBOUND_EMAIL_DOMAIN")["MAILER_INBOUND_EMAIL_DOMAIN"] ||
      ENV.fetch("MAILER_INBOUND_EMAIL_DOMAIN", false)
  end

  # Featurable#enabled_features; the stand-in keeps no feature flags (see README).
  def enabled_features
    {}
  end

  private

  # Mail::Address.new(value).address: a bare addr-spec or "Name <addr>" parses; the stand-in asks for one "@"
  # with text on both sides and no spaces in the address.
  def validate_support_email_format
    value = attributes["support_email"]
    return if value.blank?

    address = value[/<([^<>]*)>\s*\z/, 1] || value
    errors.add(:support_email, "is not a valid email address") unless address.strip.match?(/\A[^@\s]+@[^@\s]+\z/)
  end

  LIMIT_KEYS = %w[inboxes agents captain_responses captain_documents emails].freeze

  def validate_limit_keys
    errors.add(:limits, ": Invalid data") unless self[:limits].is_a?(Hash)
    self[:limits] = {} if self[:limits].blank?
    return unless self[:limits].is_a?(Hash)

    valid = self[:limits].all? { |key, value| LIMIT_KEYS.include?(key.to_s) && value.is_a?(Numeric) }
    errors.add(:limits, ": Invalid data") unless valid
  end
end

# app/models/account_user.rb
class AccountUser < ApplicationRecord
  enum :role, { agent: 0, administrator: 1 }
  enum :availability, { online: 0, offline: 1, busy: 2 }
  belongs_to :account
  belongs_to :user
  belongs_to :inviter, class_name: "User", optional: true
  validates :user_id, uniqueness: { scope: :account_id }
end

# Devise's validatable and confirmable as app/models/user.rb uses them, and devise-secure_password's
# password_has_required_content (lib/devise/secure_password/models/password_has_required_content.rb and
# lib/support/string/character_counter.rb of the chatwoot fork).
module StandinDeviseRules
  extend ActiveSupport::Concern

  PASSWORD_LENGTH = (6..128)                     # config/initializers/devise.rb
  EMAIL_REGEXP = /\A[^@\s]+@[^@\s]+\z/           # config/initializers/devise.rb
  STRETCHES = 11                                 # config/initializers/devise.rb (not test)
  CLASSES = {
    uppercase: ("A".."Z").to_a, lowercase: ("a".."z").to_a, number: ("0".."9").to_a,
    special: [" ", "!", "@", "#", "$", "%", "^", "&", "*", "(", ")", "_", "+", "-", "=", "[", "]", "{", "}", "|",
              '"', "/", "\\", ".", ",", "`", "<", ">", ":", ";", "?", "~", "'"]
  }.freeze

  included do
    attr_reader :password
    attr_accessor :password_confirmation

    validates :email, presence: true
    validates :email, uniqueness: { case_sensitive: true, allow_blank: true }, if: :will_save_change_to_email?
    validates :email, format: { with: EMAIL_REGEXP, allow_blank: true }, if: :will_save_change_to_email?
    validates :password, presence: true, confirmation: true, if: :password_required?
    validate :validate_password_content, if: :password_required?
    validate :validate_password_confirmation_content, if: :password_required?
    before_validation { self.email = email.to_s.strip if email } # strip_whitespace_keys [:email]
  end

  def password=(new_password)
    @password = new_password
    self.encrypted_password = BCrypt::Password.create(new_password, cost: STRETCHES).to_s if new_password.present?
  end

  def valid_password?(candidate)
    encrypted_password.present? && BCrypt::Password.new(encrypted_password).is_password?(candidate.to_s)
  end

  def password_required?
    !persisted? || !password.nil? || !password_confirmation.nil?
  end

  def confirmed?
    !!confirmed_at
  end

  def skip_confirmation!
    self.confirmed_at = Time.now.utc
  end

  # Devise's confirm: stamps confirmed_at and saves without validation (the builder's save! validates after it).
  def confirm(args = {})
    if confirmed?
      errors.add(:email, :already_confirmed, message: "was already confirmed, please try signing in")
      return false
    end
    self.confirmed_at = Time.now.utc
    save(validate: args[:ensure_valid] == true)
  end

  private

  # The gem deletes the password errors found so far and puts its own: length, then each class, then unknown.
  def validate_password_content
    errors.delete(:password)
    password_content_errors(password.to_s).each { |message| errors.add(:password, message) }
  end

  # The fork skips a confirmation that was not given ("rails skips password_confirmation validation if nil!"): the
  # Platform API makes users with a password alone.
  def validate_password_confirmation_content
    return if password_confirmation.nil?

    errors.delete(:password_confirmation)
    password_content_errors(password_confirmation.to_s).each { |message| errors.add(:password_confirmation, message) }
  end

  def password_content_errors(value)
    out = []
    if value.length < PASSWORD_LENGTH.min
      out << "must contain at least #{PASSWORD_LENGTH.min} characters"
    elsif value.length > PASSWORD_LENGTH.max
      out << "must contain less than #{PASSWORD_LENGTH.max} characters"
    end
    CLASSES.each do |type, chars|
      next if value.chars.count { |c| chars.include?(c) } >= 1

      shown = type == :special ? chars.join : "#{chars.first}..#{chars.last}"
      out << "must contain at least 1 #{type} character (#{shown})"
    end
    unknown = value.chars.reject { |c| CLASSES.values.any? { |chars| chars.include?(c) } }
    out << "contains #{unknown.size} invalid #{unknown.size == 1 ? 'character' : 'characters'} (#{unknown.uniq.join})" if unknown.any?
    out
  end
end

# app/models/user.rb: STI on type (nil or SuperAdmin), name and email required, email downcased, uid = email.
class User < ApplicationRecord
  include AccessTokenable
  include StandinDeviseRules

  has_secure_token :pubsub_token # app/models/concerns/pubsubable.rb
  enum :availability, { online: 0, offline: 1, busy: 2 }

  validates :name, presence: true

  has_many :account_users, dependent: :destroy
  has_many :accounts, through: :account_users
  has_many :inbox_members, dependent: :destroy
  has_many :inboxes, through: :inbox_members
  has_many :team_members, dependent: :destroy
  has_many :teams, through: :team_members
  scope :order_by_full_name, -> { order(Arel.sql("lower(name) ASC")) }

  before_validation :set_password_and_uid, on: :create
  before_validation { self.email = email.try(:downcase) }
  # devise_token_auth's DeviseTokenAuth::Concerns::User (sync_uid): uid follows the email on every save, also on
  # confirm's save without validation.
  before_save { self.uid = email if provider == "email" }

  def self.from_email(email)
    find_by(email: email&.downcase)
  end

  def set_password_and_uid
    self.uid = email
  end

  def administrator?
    account_users.any?(&:administrator?)
  end

  def available_name
    self[:display_name].presence || name
  end

  def current_account_user
    account_users.find { |au| au.account_id == Current.account.id } if Current.account
  end

  def active_account_user
    account_users.order(Arel.sql("active_at DESC NULLS LAST")).first
  end

  # Avatarable#avatar_url: no avatar attached.
  def avatar_url
    ""
  end

  # app/models/user.rb: administrators see every inbox of the account, agents those they are members of.
  def assigned_inboxes
    if current_account_user&.administrator?
      Current.account.inboxes
    else
      inboxes.where(account_id: Current.account.id)
    end
  end
end

# app/models/super_admin.rb
class SuperAdmin < User
end

# app/models/platform_app.rb
class PlatformApp < ApplicationRecord
  include AccessTokenable

  validates :name, presence: true
  has_many :platform_app_permissibles, dependent: :destroy
end

# app/models/platform_app_permissible.rb
class PlatformAppPermissible < ApplicationRecord
  validates :platform_app, presence: true
  validates :platform_app_id, uniqueness: { scope: %i[permissible_id permissible_type] }

  belongs_to :platform_app
  belongs_to :permissible, polymorphic: true
end

Standin::Records.connect!
