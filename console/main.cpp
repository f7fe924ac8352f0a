#include <QApplication>
#include <QCommandLineParser>

#include "console/app/consoleapplication.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("prophasis-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Prophasis"));
    QApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    QApplication::setOrganizationName(QStringLiteral("Prophasis"));
    // The console lives on in the tray when its window is closed only if the person wants it;
    // by default closing the window ends it.
    QApplication::setQuitOnLastWindowClosed(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Prophasis console: manage and watch your monitoring."));
    parser.addHelpOption();
    parser.addVersionOption();
    prophasis::ConsoleApplication::addOptions(parser);
    parser.process(app);

    prophasis::ConsoleApplication console;
    const int exitCode = console.start(parser);
    if (exitCode >= 0)
        return exitCode;
    return QApplication::exec();
}
