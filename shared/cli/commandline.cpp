#include "shared/cli/commandline.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace prophasis {

namespace {

QString programUsage(const QString &program, const QString &description, const QList<Subcommand> &commands)
{
    QString text = description + QStringLiteral("\n\nUsage: %1 <command> [options]\n\nCommands:\n").arg(program);
    for (const Subcommand &command : commands)
        text += QStringLiteral("  %1  %2\n").arg(command.name.leftJustified(10), command.summary);
    text += QStringLiteral("\nRun '%1 <command> --help' for a command's options.\n"
                           "Options:\n  -h, --help     Show this help.\n  -v, --version  Show the version.\n")
                .arg(program);
    return text;
}

} // namespace

int runSubcommand(const QStringList &arguments, const QString &description, const QList<Subcommand> &commands)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QString program = QCoreApplication::applicationName();
    const QString first = arguments.value(1);

    if (first.isEmpty() || first == QLatin1String("--help") || first == QLatin1String("-h")
        || first == QLatin1String("help")) {
        (first.isEmpty() ? err : out) << programUsage(program, description, commands);
        return first.isEmpty() ? ExitUsage : ExitOk;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
        out << program << ' ' << QCoreApplication::applicationVersion() << '\n';
        return ExitOk;
    }

    for (const Subcommand &command : commands) {
        if (command.name != first)
            continue;
        QCommandLineParser parser;
        parser.setApplicationDescription(command.summary);
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        const QCommandLineOption helpOption = parser.addHelpOption();
        if (command.declareOptions)
            command.declareOptions(parser);
        QStringList commandArguments = arguments.mid(1);
        commandArguments[0] = program + u' ' + command.name;
        if (!parser.parse(commandArguments)) {
            err << program << ' ' << command.name << ": " << parser.errorText() << '\n'
                << "Run '" << program << ' ' << command.name << " --help' for the options.\n";
            return ExitUsage;
        }
        if (parser.isSet(helpOption)) {
            out << parser.helpText();
            return ExitOk;
        }
        out.flush();
        return command.run(parser);
    }

    err << program << ": unknown command '" << first << "'\n\n" << programUsage(program, description, commands);
    return ExitUsage;
}

} // namespace prophasis
