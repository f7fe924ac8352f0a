#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <optional>

#include "shared/package/packagereader.h"
#include "shared/package/signaturemode.h"
#include "shared/package/signatureverifier.h"
#include "shared/plugin/manifest.h"

namespace prophasis {

struct InstalledPlugin
{
    PluginManifest manifest;
    QString sha256;    // of the package archive, as GET /v1/plugins reports it
    QString directory; // absolute path of the package folder holding manifest.json
    QDateTime installed;
    bool isSigned = false; // a good signature by a trusted key was checked at install
    QString signer;        // its primary fingerprint
};

struct InstallOutcome
{
    // 201 new, 200 replaced (or already installed), 413 archive too large, 422 bad package,
    // 403 signature refused, 409 older version without allowDowngrade, 500 the agent's own fault.
    int httpStatus = 500;
    QString message;
    std::optional<InstalledPlugin> plugin; // what is installed afterwards
};

// The agent's installed plugin packages, on disk under `root`:
//
//   root/staging/<random>/              a package being checked; removed on start
//   root/packages/<id>-<sha256 16>/     one installed package: package/ (its files) and install.json
//   root/current/<id>                   symlink to ../packages/<id>-<…>, switched with rename()
//
// An install extracts into staging, checks everything, moves the folder into packages/ and then
// replaces current/<id> in one rename() of a new symlink, so a reader sees the old package or
// the new one, never a mixture, and any failure leaves the previous version installed. The
// replaced package folder is kept one generation (a run may still be using it) and removed by
// the next install of that plugin or the next start.
// Thread-safe.
class AgentPluginStore
{
public:
    AgentPluginStore(const QString &root, SignatureMode mode, const SignatureVerifier *verifier,
                     QStringList trustedFingerprints, PackageLimits limits = {});

    InstallOutcome install(const QString &pluginId, const QByteArray &archive, const QByteArray &signature,
                           bool allowDowngrade);
    // false with *error when the plugin is not installed or cannot be removed.
    bool remove(const QString &pluginId, QString *error);

    QList<InstalledPlugin> list() const; // ordered by id
    std::optional<InstalledPlugin> find(const QString &pluginId) const;

    const QString &root() const { return m_root; }

private:
    struct SignatureCheck
    {
        bool accepted = false;
        bool isSigned = false;
        QString signer;
        QString message;
    };
    SignatureCheck checkSignature(const QByteArray &archive, const QByteArray &signature) const;
    InstallOutcome commit(const QString &pluginId, const Package &package, const QString &staging,
                          const SignatureCheck &signature, bool allowDowngrade);
    void cleanStaging();
    void loadInstalled();
    std::optional<InstalledPlugin> loadPackage(const QString &folderName, QString *error) const;

    QString m_root;
    SignatureMode m_mode;
    const SignatureVerifier *m_verifier;
    QStringList m_trustedFingerprints;
    PackageLimits m_limits;
    mutable QMutex m_mutex;
    QHash<QString, InstalledPlugin> m_installed; // by plugin id
};

} // namespace prophasis
