# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: Rails' error for a name that is neither a command nor a rake task, under Rails'
# own name, because Ruby prints the class name in the message (railties @ v7.1.5.2 lib/rails/command.rb:
# CorrectableNameError, UnrecognizedCommandError "Unrecognized command NAME.inspect", DidYouMean::Correctable with a
# SpellChecker over the printing commands). Required only on the way to `exit 1` (lib/standin/rake_command.rb).

module Rails
  module Command
    class UnrecognizedCommandError < StandardError
      attr_reader :name

      def initialize(name, alternatives)
        @name = name
        @alternatives = alternatives
        super("Unrecognized command #{name.inspect}")
      end

      if defined?(DidYouMean::Correctable) && defined?(DidYouMean::SpellChecker)
        include DidYouMean::Correctable

        def corrections
          @corrections ||= DidYouMean::SpellChecker.new(dictionary: @alternatives).correct(name)
        end
      end
    end
  end
end
