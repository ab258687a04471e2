# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: what creates the first administrator and loads the installation settings,
# written from Chatwoot's source (chatwoot/chatwoot v4.15.1):
#   app/builders/account_builder.rb                   AccountBuilder#perform: email checks unless a user is given,
#                                                     UserExists for a taken email, account + user + administrator
#                                                     link in one transaction, [user, account]
#   app/services/account/sign_up_email_validation_service.rb  ValidEmail2 validity, BLOCKED_EMAIL_DOMAINS
#   lib/custom_exceptions/account.rb, base.rb         the exceptions and (config/locales/en.yml) their messages
#   gem valid_email2 5.2.6, lib/valid_email2/address.rb  valid?: the domain needs a dot, no "..", does not start
#                                                     with "." or "-", no "-.", none of + ! _ / ' ` or spaces; the
#                                                     local part has no "..", does not start or end with "."
#   lib/config_loader.rb, config/installation_config.yml  the settings seeded (missing ones only)
# Not imitated: valid_email2's list of disposable domains and its MX lookup (no network here), the hub
# registration, mail.

require "yaml"
require "active_support/current_attributes"
require_relative "records"

module CustomExceptions
  class Base < StandardError
    def initialize(data)
      @data = data
      super()
    end

    def to_hash
      { message: message }
    end

    def http_status
      403
    end
  end

  module Account
    class InvalidEmail < CustomExceptions::Base
      def message
        if @data[:domain_blocked]
          "This domain is not allowed. If you believe this is a mistake, please contact support."
        elsif @data[:disposable]
          "We do not allow disposable emails"
        elsif !@data[:valid]
          "You have entered an invalid email"
        end
      end
    end

    class UserExists < CustomExceptions::Base
      def message
        "You have already signed up for an account with #{@data[:email]}"
      end
    end

    class UserErrors < CustomExceptions::Base
      def message
        @data[:errors].full_messages.join(",")
      end
    end
  end
end

class Current < ActiveSupport::CurrentAttributes
  attribute :user, :account, :account_user
end

module ValidEmail2
  class Address
    PROHIBITED_DOMAIN_CHARACTERS_REGEX = %r{[+!_/\s'`]}

    def initialize(address)
      @raw = address.to_s
      # Mail::Address keeps a bare addr-spec as it is; anything else (a display name, angle brackets, a second @)
      # is not the same address back, which valid_address? refuses.
      @local, _, @domain = @raw.rpartition("@")
      @parse_error = @raw.count("@") != 1 || @raw.match?(/[\s<>()\[\],;:"]/) || @local.empty?
    end

    def valid?
      return false if @parse_error

      valid_domain? && valid_address?
    end

    def disposable?
      false
    end

    private

    def valid_domain?
      !@domain.empty? && @domain !~ PROHIBITED_DOMAIN_CHARACTERS_REGEX && @domain.include?(".") &&
        !@domain.include?("..") && !@domain.start_with?(".") && !@domain.start_with?("-") && !@domain.include?("-.")
    end

    def valid_address?
      !@local.include?("..") && !@local.end_with?(".") && !@local.start_with?(".")
    end
  end
end

class Account::SignUpEmailValidationService
  include CustomExceptions::Account

  def initialize(email)
    @email = email
  end

  def perform
    address = ValidEmail2::Address.new(@email)
    raise InvalidEmail.new({ valid: false, disposable: nil }) unless address.valid?
    raise InvalidEmail.new({ domain_blocked: true }) if domain_blocked?
    raise InvalidEmail.new({ valid: true, disposable: true }) if address.disposable?

    true
  end

  private

  def domain_blocked?
    domain = @email.split("@").last&.downcase
    blocked_domains.any? { |blocked| domain.match?(blocked.downcase) }
  end

  def blocked_domains
    domains = GlobalConfigService.load("BLOCKED_EMAIL_DOMAINS", "")
    return [] if domains.blank?

    domains.split("\n").map(&:strip)
  end
end

class AccountBuilder
  include CustomExceptions::Account

  # pattr_initialize [:account_name, :email!, :confirmed, :user, :user_full_name, :user_password, :super_admin, :locale]
  def initialize(email:, account_name: nil, confirmed: nil, user: nil, user_full_name: nil, user_password: nil,
                 super_admin: nil, locale: nil)
    @account_name = account_name
    @email = email
    @confirmed = confirmed
    @user = user
    @user_full_name = user_full_name
    @user_password = user_password
    @super_admin = super_admin
    @locale = locale
  end

  def perform
    if @user.nil?
      validate_email
      validate_user
    end
    ActiveRecord::Base.transaction do
      @account = create_account
      @user = create_and_link_user
    end
    [@user, @account]
  end

  private

  def validate_email
    Account::SignUpEmailValidationService.new(@email).perform
  end

  def validate_user
    raise UserExists.new(email: @email) if User.exists?(email: @email)

    true
  end

  def create_account
    @account = Account.create!(name: @account_name || "", locale: I18n.locale,
                               custom_attributes: { "onboarding_step" => "account_details" })
    Current.account = @account
  end

  def create_and_link_user
    raise UserErrors.new(errors: @user.errors) unless @user.present? || create_user

    AccountUser.create!(account_id: @account.id, user_id: @user.id, role: AccountUser.roles["administrator"])
    @user
  end

  def create_user
    @user = User.new(email: @email, password: @user_password, password_confirmation: @user_password,
                     name: @user_full_name || "")
    @user.type = "SuperAdmin" if @super_admin
    @user.confirm if @confirmed
    @user.save!
  end
end

# lib/config_loader.rb: the general settings of config/installation_config.yml (the stand-in's file holds a few
# of Chatwoot's, with their values, locks and types); reconcile_only_new (the default) adds missing ones only.
class ConfigLoader
  def process(options = {})
    @reconcile_only_new = options.fetch(:reconcile_only_new, true)
    general_configs.each do |config|
      latest = config.with_indifferent_access
      existing = InstallationConfig.find_by(name: latest[:name])
      save_as_new_config(latest) if existing.nil? || (!@reconcile_only_new && differs?(existing, latest))
    end
  end

  def general_configs
    @general_configs ||= YAML.safe_load(File.read(File.join(Standin::APP_ROOT, "config", "installation_config.yml")))
  end

  private

  def differs?(existing, latest)
    existing.value != latest[:value] || (!latest[:locked].nil? && existing.locked != latest[:locked])
  end

  def save_as_new_config(latest)
    config = InstallationConfig.find_or_initialize_by(name: latest[:name])
    config.value = latest[:value]
    config.locked = latest[:locked]
    config.save!
  end
end
