#include "console/connect/connectoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include "console/connect/profilestore.h"

namespace prophasis {

namespace {

const QString CoreOption = QStringLiteral("core");
const QString UserOption = QStringLiteral("user");
const QString PasswordFileOption = QStringLiteral("password-file");
const QString CoreKeyOption = QStringLiteral("core-key");

// The options' translation context (lupdate reads Q_DECLARE_TR_FUNCTIONS).
struct ConnectOptionsText
{
    Q_DECLARE_TR_FUNCTIONS(ConnectOptions)
};

} // namespace

void addConnectOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {CoreOption,
         ConnectOptionsText::tr("Connect to the core at <url> (https://host:4049) without the dialog."),
         QStringLiteral("url")});
    parser.addOption({UserOption, ConnectOptionsText::tr("Log in as <user>."), QStringLiteral("user")});
    parser.addOption(
        {PasswordFileOption,
         ConnectOptionsText::tr("Read the password from the first line of <file> (which only you may read)."),
         QStringLiteral("file")});
    parser.addOption({CoreKeyOption,
                      ConnectOptionsText::tr(
                          "Expect the core's public key to have this SHA-256 <hex> (as prophasis-core init "
                          "printed it); without it, the key pinned in a saved profile is used."),
                      QStringLiteral("hex")});
}

std::optional<QString> readPasswordFile(const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists() || !info.isFile()) {
        *error = ConnectOptionsText::tr("The password file %1 does not exist.").arg(path);
        return std::nullopt;
    }
    constexpr QFile::Permissions loose = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup |
                                         QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    if (info.permissions() & loose) {
        *error = ConnectOptionsText::tr(
                     "The password file %1 can be read or changed by other users: refused. Make it private "
                     "with: chmod 600 %1")
                     .arg(path);
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error =
            ConnectOptionsText::tr("The password file %1 cannot be read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QString password = QString::fromUtf8(file.readLine());
    while (password.endsWith(u'\n') || password.endsWith(u'\r'))
        password.chop(1);
    if (password.isEmpty()) {
        *error = ConnectOptionsText::tr("The password file %1 is empty: its first line must be the password.")
                     .arg(path);
        return std::nullopt;
    }
    return password;
}

std::optional<ConnectRequest> connectRequestFrom(const QCommandLineParser &parser, QString *error)
{
    error->clear();
    if (!parser.isSet(CoreOption)) {
        if (parser.isSet(UserOption) || parser.isSet(PasswordFileOption) || parser.isSet(CoreKeyOption))
            *error = ConnectOptionsText::tr("--user, --password-file and --core-key need --core.");
        return std::nullopt;
    }
    ConnectRequest request;
    request.coreUrl = normalizedCoreUrl(parser.value(CoreOption));
    if (!request.coreUrl.isValid()) {
        *error = ConnectOptionsText::tr(
            "--core must be the core's https address, e.g. https://core.example.org:4049.");
        return std::nullopt;
    }
    request.user = parser.value(UserOption);
    if (request.user.isEmpty()) {
        *error = ConnectOptionsText::tr("--core needs --user.");
        return std::nullopt;
    }
    if (!parser.isSet(PasswordFileOption)) {
        *error = ConnectOptionsText::tr(
            "--core needs --password-file (a password on the command line would show in ps).");
        return std::nullopt;
    }
    const std::optional<QString> password = readPasswordFile(parser.value(PasswordFileOption), error);
    if (!password)
        return std::nullopt;
    request.password = *password;
    if (parser.isSet(CoreKeyOption)) {
        request.pinnedKey = parser.value(CoreKeyOption).toLower().remove(u':').remove(u' ');
        static const QRegularExpression sha256Hex(QStringLiteral("^[0-9a-f]{64}$"));
        if (!sha256Hex.match(request.pinnedKey).hasMatch()) {
            *error =
                ConnectOptionsText::tr("--core-key must be the 64 hex digits of the core's key SHA-256.");
            return std::nullopt;
        }
    }
    return request;
}

std::optional<ConnectionProfile> commandLineProfile(const ConnectRequest &request,
                                                    const ProfileStore &profiles)
{
    ConnectionProfile profile;
    const std::optional<ConnectionProfile> saved = profiles.profileFor(request.coreUrl, request.user);
    if (saved) {
        profile = *saved;
    } else {
        profile.name = request.user + u'@' + request.coreUrl.host();
        profile.coreUrl = request.coreUrl;
        profile.user = request.user;
    }
    if (!request.pinnedKey.isEmpty())
        profile.pinnedKey = request.pinnedKey;
    // A saved profile without a pin trusts the core's CA-issued certificate (ConnectSequence keeps
    // it so); a new one without a key must show the key to a person first.
    if (profile.pinnedKey.isEmpty() && !saved)
        return std::nullopt;
    return profile;
}

} // namespace prophasis
