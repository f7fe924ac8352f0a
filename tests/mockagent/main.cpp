// prophasis-mock-agent: many fake agents in one process, for the core's tests.
//
//   prophasis-mock-agent --hosts FILE [--identity-dir DIR]
//
// FILE (re-read whenever it changes):
//   {"core_keys": ["<spki hex>", …],          // pinned core keys; empty or absent: any client
//    "hosts": {"web1": {"listen": "127.0.0.2", "port": 14048,   // port 0: any free port
//                       "behaviour": "normal" | "slow" | "silent" | "drop" | "other_key",
//                       "delay_ms": 5000,                        // for "slow"
//                       "plugins": {"org.x.load": {"sha256": "…", "result": {<run result JSON>}}}}}}
// A line of JSON per host goes to stdout once it listens: {"host", "address", "port",
// "spki_sha256"}. Pushed packages (PUT) replace the sha256 the file gives, as on a real agent.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTextStream>

#include "tests/mockagent/mockagent.h"

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{QStringLiteral("hosts"), QStringLiteral("The hosts file."), QStringLiteral("FILE")},
                       {QStringLiteral("identity-dir"), QStringLiteral("Keep the hosts' keys here."), QStringLiteral("DIR")}});
    parser.process(app);
    if (!parser.isSet(QStringLiteral("hosts"))) {
        QTextStream(stderr) << "prophasis-mock-agent: --hosts FILE is required\n";
        return 2;
    }
    prophasis::MockAgent mock(parser.value(QStringLiteral("hosts")), parser.value(QStringLiteral("identity-dir")));
    QObject::connect(&mock, &prophasis::MockAgent::hostReady, [](const QJsonObject &description) {
        QTextStream(stdout) << QJsonDocument(description).toJson(QJsonDocument::Compact) << Qt::endl;
    });
    QString error;
    if (!mock.start(&error)) {
        QTextStream(stderr) << "prophasis-mock-agent: " << error << '\n';
        return 1;
    }
    return QCoreApplication::exec();
}
