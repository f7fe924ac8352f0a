#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

namespace prophasis::test {

// `promtool check metrics` (Debian's prometheus package) over `text`: empty when it passes, else
// its complaint. nullopt when promtool is not installed (the caller skips).
inline std::optional<QString> promtoolProblems(const QByteArray &text)
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        return std::nullopt;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!process.waitForStarted(10'000))
        return QStringLiteral("promtool did not start: %1").arg(process.errorString());
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000))
        return QStringLiteral("promtool did not finish");
    const QString output = QString::fromUtf8(process.readAll()).trimmed();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0 || !output.isEmpty())
        return QStringLiteral("promtool (exit %1): %2").arg(process.exitCode()).arg(output);
    return QString();
}

} // namespace prophasis::test

#define PROPHASIS_VERIFY_PROMTOOL(text)                                                                      \
    do {                                                                                                     \
        const std::optional<QString> problems = prophasis::test::promtoolProblems(text);                     \
        if (!problems)                                                                                       \
            QSKIP("promtool is missing: install Debian's prometheus package (scripts/deps.sh --test)");      \
        QVERIFY2(problems->isEmpty(),                                                                        \
                 qPrintable(*problems + QLatin1String("\n") + QString::fromUtf8(text)));                     \
    } while (false)
