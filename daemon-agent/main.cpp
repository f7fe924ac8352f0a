#include <QCoreApplication>

#include "daemon-agent/app/agentcommands.h"

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("prophasis-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    return prophasis::runAgentCommandLine(QCoreApplication::arguments());
}
