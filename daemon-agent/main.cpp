#include <QCoreApplication>

#include "daemon-agent/app/agentcommands.h"
#include "shared/cli/daemonprocess.h"

int main(int argc, char *argv[])
{
    prophasis::chooseDaemonEventLoop();
    QCoreApplication app(argc, argv);
    prophasis::setUpDaemonProcess();
    QCoreApplication::setApplicationName(QStringLiteral("prophasis-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    return prophasis::runAgentCommandLine(QCoreApplication::arguments());
}
