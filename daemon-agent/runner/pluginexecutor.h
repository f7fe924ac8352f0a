#pragma once

#include <QJsonObject>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>

#include "daemon-agent/runner/processrunner.h"
#include "shared/plugin/manifest.h"
#include "shared/plugin/runresult.h"

namespace prophasis {

// The PATH a plugin gets; nothing else of the agent's environment is passed on (no secrets, no
// locale surprises in the output it prints).
inline constexpr char PluginPath[] = "/usr/local/bin:/usr/bin:/bin";

// Runs `exec` and `nagios` plugins (SPEC §3) through ProcessRunner and turns what they did into
// a RunResult. Several runs may go at once; each calls `done` exactly once, always later from
// the event loop, unless the executor is destroyed first (its runs are then killed).
//
// A run gets:
// - program: packageDirectory/entry, or the absolute entry of a nagios plugin installed on the
//   host (/usr/lib/nagios/plugins/check_load);
// - argv: manifest.commandArguments with each "{name}" replaced by that argument's value (an
//   element that is exactly "{name}" is left out when the argument has no value);
// - environment: PATH=PluginPath, LANG=C.UTF-8, HOME and PROPHASIS_PLUGIN_DIR = the package
//   folder, and PROPHASIS_ARG_<NAME> (upper case) for each argument with a value;
// - for exec, the arguments as one JSON object on stdin;
// - the package folder as working directory.
// Outcomes: a timeout gives error "timeout"; a program that cannot start, dies of a signal, or
// (exec) exits non-zero or prints no valid result gives "plugin_error", with the first line of
// stderr when there is one. A nagios plugin's exit code is its status, so non-zero is not an
// error there. When a plugin reports a permission problem and its manifest declares
// capabilities, the message names the capabilities the plugin needs and the agent lacks.
class PluginExecutor : public QObject
{
    Q_OBJECT
public:
    explicit PluginExecutor(QObject *parent = nullptr);

    // timeoutMs <= 0 means the manifest's timeout_s.
    void run(const PluginManifest &manifest, const QString &packageDirectory,
             const QJsonObject &resolvedArguments, int timeoutMs, std::function<void(RunResult)> done);

    int runningCount() const;
};

// The pieces of a run, public so they can be tested on their own.
QStringList expandCommandArguments(const QStringList &templates, const QJsonObject &arguments);
QProcessEnvironment pluginEnvironment(const QString &packageDirectory, const QJsonObject &arguments);
RunResult resultOfRun(const PluginManifest &manifest, int timeoutMs, const ProcessOutcome &outcome);

} // namespace prophasis
