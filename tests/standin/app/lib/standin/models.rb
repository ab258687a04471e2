# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: a very small read-only stand-in for the
# ActiveRecord models a test may poke at through `rails runner`, e.g.
#   bundle exec rails runner 'puts User.count'
#   bundle exec rails runner 'p SuperAdmin.exists?(email: "john@acme.inc")'
#   bundle exec rails runner 'puts InstallationConfig.find_by(name: "INSTALLATION_NAME").value'
# Supported: count, exists?, find_by, pluck, all (each takes column: value conditions).

require "pg"
require_relative "core"

module Standin
  class Row < Hash
    def value
      raw = self["serialized_value"]
      raw.is_a?(String) ? JSON.parse(raw)["value"] : raw
    end

    def method_missing(name, *args)
      key?(name.to_s) && args.empty? ? self[name.to_s] : super
    end

    def respond_to_missing?(name, include_private = false)
      key?(name.to_s) || super
    end
  end

  class Record
    class << self
      attr_reader :table, :scope

      def backed_by(table, scope = {})
        @table = table
        @scope = scope
      end

      def connection
        Thread.current[:standin_pg] ||= Standin.pg_connect
      end

      def count(**conditions)
        select("count(*)", conditions).getvalue(0, 0).to_i
      end

      def exists?(**conditions)
        count(**conditions).positive?
      end

      def find_by(**conditions)
        all(**conditions).first
      end

      def pluck(column, **conditions)
        select(connection.quote_ident(column.to_s), conditions).column_values(0)
      end

      def all(**conditions)
        select("*", conditions).map { |tuple| Row[tuple] }
      end

      private

      def select(what, conditions)
        where = scope.merge(conditions)
        clauses = where.keys.each_with_index.map { |k, i| "#{connection.quote_ident(k.to_s)} = $#{i + 1}" }
        sql = +"SELECT #{what} FROM #{connection.quote_ident(table)}"
        sql << " WHERE #{clauses.join(' AND ')}" unless clauses.empty?
        sql << " ORDER BY id" if what == "*"
        connection.exec_params(sql, where.values.map(&:to_s))
      end
    end
  end
end

class Account < Standin::Record; backed_by "accounts"; end
class User < Standin::Record; backed_by "users"; end
class SuperAdmin < Standin::Record; backed_by "users", type: "SuperAdmin"; end
class InstallationConfig < Standin::Record; backed_by "installation_configs"; end
class Conversation < Standin::Record; backed_by "conversations"; end
class Message < Standin::Record; backed_by "messages"; end
