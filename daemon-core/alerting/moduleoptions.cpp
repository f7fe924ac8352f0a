#include "daemon-core/alerting/moduleoptions.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace prophasis {

ModuleOptionReader::ModuleOptionReader(const Alert &alert, FieldErrors &errors,
                                       const QStringList &knownOptions, const QStringList &knownSecrets)
    : m_alert(alert)
    , m_errors(errors)
    , m_options(alert.options, errors, QStringLiteral("options."))
{
    for (auto it = alert.options.constBegin(); it != alert.options.constEnd(); ++it) {
        if (!knownOptions.contains(it.key()))
            error(it.key(), knownOptions.isEmpty()
                                ? QStringLiteral("unknown option: this module takes none")
                                : QStringLiteral("unknown option (known: %1)").arg(knownOptions.join(u", ")));
    }
    for (auto it = alert.secrets.constBegin(); it != alert.secrets.constEnd(); ++it) {
        if (!knownSecrets.contains(it.key()) && !knownSecrets.contains(AnySecretName))
            secretError(it.key(),
                        knownSecrets.isEmpty()
                            ? QStringLiteral("unknown secret: this module takes none")
                            : QStringLiteral("unknown secret (known: %1)").arg(knownSecrets.join(u", ")));
    }
}

void ModuleOptionReader::error(const QString &key, const QString &message)
{
    m_errors.add(m_options.field(key), message);
}

void ModuleOptionReader::secretError(const QString &name, const QString &message)
{
    m_errors.add(QStringLiteral("secrets.") + name, message);
}

QString ModuleOptionReader::secret(const QString &name, bool required)
{
    const QString value = m_alert.secrets.value(name);
    if (required && value.isEmpty())
        secretError(name, QStringLiteral("is required"));
    return value;
}

int ModuleOptionReader::timeoutSeconds(int fallback, int max)
{
    return int(m_options.integer(QStringLiteral("timeout_s"), fallback, 1, max));
}

QString ModuleOptionReader::caFile()
{
    const QString path = m_options.string(QStringLiteral("ca_file"));
    if (path.isEmpty())
        return {};
    const QFileInfo info(path);
    if (!info.isAbsolute())
        error(QStringLiteral("ca_file"), QStringLiteral("must be an absolute path"));
    else if (!info.isFile() || !info.isReadable())
        error(QStringLiteral("ca_file"), QStringLiteral("%1 is not a file the core can read").arg(path));
    return path;
}

bool isValidMailAddress(const QString &address)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
        uR"([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253})"));
    return address.size() <= 254 && pattern.match(address).hasMatch() && !address.endsWith(u'.');
}

} // namespace prophasis
