#pragma once

#include <QCommandLineParser>
#include <QList>
#include <QString>

#include <functional>

class QTextStream;

namespace prophasis {

// One subcommand of a program ("prophasis-core init"): its options and what it does.
struct Subcommand
{
    QString name;
    QString summary;
    std::function<void(QCommandLineParser &)> declareOptions;
    std::function<int(const QCommandLineParser &)> run; // returns the exit code
};

// Exit codes shared by our programs.
inline constexpr int ExitOk = 0;
inline constexpr int ExitFailure = 1;
inline constexpr int ExitUsage = 2;

// Runs "<program> <subcommand> [options]": handles --help and --version at both levels,
// reports unknown commands and bad options on stderr with exit code 2, otherwise runs the
// subcommand. Does not call exit(), so tests can drive it.
int runSubcommand(const QStringList &arguments, const QString &description, const QList<Subcommand> &commands);

} // namespace prophasis
