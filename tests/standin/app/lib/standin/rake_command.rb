# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: what `rails NAME ARGS…` does with a NAME that is no Rails command: Rails 7.1
# hands it to Rake, the REAL Rake here (Debian's 13.2.1, the version Chatwoot's Gemfile.lock pins @ v4.15.1, as
# railties 7.1.5.2). Written from railties @ v7.1.5.2:
#   lib/rails/command.rb                      Rails::Command.invoke: a name no command has goes to invoke_rake, which
#                                             turns `NAME -h` (-?, --help) into `--describe NAME`; an
#                                             UnrecognizedCommandError is printed with `puts error.detailed_message`
#                                             (stdout) and the process exits 1
#   lib/rails/commands/rake/rake_command.rb   RakeCommand.perform / with_rake: Rake.with_application; init(bin, [NAME,
#                                             *ARGS]) (rake's options, VAR=value pairs, the task names), load_rakefile
#                                             (/app/Rakefile); EVERY top-level task is looked up before any runs, and
#                                             an unknown one raises UnrecognizedCommandError (nothing has run, nothing
#                                             of the app is loaded); then standard_exception_handling { top_level }:
#                                             the tasks run in the order given, each once, with its prerequisites; an
#                                             exception prints "bin/rails aborted!" and its details on stderr and
#                                             exits 1; `exit N` in a task ends the process with N, the later tasks
#                                             unrun. Backtrace lines outside the app (/app) are left out
#                                             (rake.options.suppress_backtrace_pattern).
#   lib/rails/command/base.rb                 bin is "bin/rails": rake's name, so "bin/rails aborted!"
# As Rails::AppLoader (lib/rails/app_loader.rb), which execs bin/rails from the directory that holds it, rake runs
# in /app.

require "rake"
require_relative "core"

module Standin
  module RakeCommand
    BIN = "bin/rails"
    HELP_MAPPINGS = %w[-h -? --help].freeze

    # Rails::Command::UnrecognizedCommandError's "Did you mean?" comes from Command.printing_commands: Rails' commands,
    # and the rake tasks with a description defined outside the app. Of those the stand-in has these (the app's own
    # tasks, such as db:chatwoot_prepare in Chatwoot's lib/tasks, are never suggested).
    RAILS_PRINTING_COMMANDS = %w[server runner db:migrate].freeze

    # Rails' non_app_file_pattern (lines outside the app's root), and this file's, which stands for railties' frames.
    SUPPRESS_BACKTRACE = %r{\A(?!#{Regexp.quote(Standin::APP_ROOT)})|\A#{Regexp.quote(__FILE__)}:}

    module_function

    def perform(task, args)
      args = ["--describe", task] if HELP_MAPPINGS.include?(args[0])
      Dir.chdir(Standin::APP_ROOT)
      Rake::TaskManager.record_task_metadata = true
      Rake.with_application do |rake|
        rake.init(BIN, [task, *args])
        rake.load_rakefile
        unrecognized = rake.top_level_tasks.find { |name| !rake.lookup(name[/[^\[]+/]) }
        unrecognized!(unrecognized) if unrecognized

        rake.options.suppress_backtrace_pattern = SUPPRESS_BACKTRACE
        rake.standard_exception_handling { rake.top_level }
      end
    end

    # Rails' own error class and message: Exception#detailed_message with DidYouMean::Correctable, as Ruby makes it
    # (highlighted: Correctable's detailed_message defaults to highlight: true). Defined only here, just before the
    # exit: a ::Rails constant would change what Sidekiq and ActiveSupport do in a process that goes on.
    def unrecognized!(name)
      require_relative "rails_command_error"
      error = Rails::Command::UnrecognizedCommandError.new(name, RAILS_PRINTING_COMMANDS)
      puts error.detailed_message
      exit 1
    end
  end
end
