#include "console/connect/connectdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "console/client/apiclient.h"
#include "console/connect/passwordvault.h"
#include "console/connect/profilestore.h"

namespace prophasis {

ConnectDialog::ConnectDialog(ApiClient &client, ProfileStore &profiles, PasswordVault &vault, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_profiles(profiles)
    , m_vault(vault)
    , m_sequence(client, profiles)
{
    setWindowTitle(tr("Connect to a Prophasis core"));

    m_profileBox = new QComboBox(this);
    m_addButton = new QPushButton(tr("New"), this);
    m_addButton->setToolTip(tr("Start a new connection profile"));
    m_removeButton = new QPushButton(tr("Remove"), this);
    m_removeButton->setToolTip(tr("Forget this profile and its stored password"));
    auto *profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profileBox, 1);
    profileRow->addWidget(m_addButton);
    profileRow->addWidget(m_removeButton);

    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("e.g. Office core (defaults to user@address)"));
    m_core = new QLineEdit(this);
    m_core->setPlaceholderText(tr("core.example.org or 192.0.2.10:4049"));
    m_core->setToolTip(tr("The address of the server running prophasis-core; the port defaults to 4049."));
    m_user = new QLineEdit(this);
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    m_remember = new QCheckBox(tr("Remember the password in the system keychain"), this);
    m_remember->setToolTip(tr("Kept by the operating system's keychain, never in a plain file."));
    QString noKeychain;
    m_keychainAvailable = PasswordVault::keychainAvailable(&noKeychain);
    if (!m_keychainAvailable) {
        // Said up front rather than after connecting: a plain file is never the fallback.
        m_remember->setEnabled(false);
        m_remember->setToolTip(
            tr("No system keychain is available here (%1): the password cannot be remembered.")
                .arg(noKeychain));
        m_keychainNote = new QLabel(m_remember->toolTip(), this);
        m_keychainNote->setObjectName(QStringLiteral("keychainNote"));
        m_keychainNote->setWordWrap(true);
    }
    m_keyNote = new QLabel(this);
    m_keyNote->setWordWrap(true);

    // Named for tests and for style sheets.
    m_profileBox->setObjectName(QStringLiteral("profile"));
    m_name->setObjectName(QStringLiteral("name"));
    m_core->setObjectName(QStringLiteral("core"));
    m_user->setObjectName(QStringLiteral("user"));
    m_password->setObjectName(QStringLiteral("password"));
    m_remember->setObjectName(QStringLiteral("rememberPassword"));

    auto *form = new QFormLayout;
    form->addRow(tr("Profile:"), profileRow);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Core address:"), m_core);
    form->addRow(tr("User:"), m_user);
    form->addRow(tr("Password:"), m_password);
    form->addRow(QString(), m_remember);
    if (m_keychainNote)
        form->addRow(QString(), m_keychainNote);
    form->addRow(tr("Core key:"), m_keyNote);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_connectButton = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    m_connectButton->setDefault(true);
    m_connectButton->setObjectName(QStringLiteral("connect"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_profileBox, &QComboBox::currentIndexChanged, this, &ConnectDialog::showProfile);
    connect(m_addButton, &QPushButton::clicked, this, &ConnectDialog::newProfile);
    connect(m_removeButton, &QPushButton::clicked, this, &ConnectDialog::removeProfile);
    connect(m_connectButton, &QPushButton::clicked, this, &ConnectDialog::connectToCore);
    connect(buttons, &QDialogButtonBox::rejected, this, [this] {
        m_sequence.cancel();
        reject();
    });

    connect(&m_sequence, &ConnectSequence::progress, m_status, &QLabel::setText);
    connect(&m_sequence, &ConnectSequence::keyConfirmationNeeded, this,
            [this](const QString &key, const QString &fingerprint) {
                // Confirmed once in this dialog (then, say, the password was mistyped): not asked again.
                const QUrl core = m_sequence.profile().coreUrl;
                if (key == m_confirmedKey && core == m_confirmedCore) {
                    m_sequence.confirmKey(true);
                    return;
                }
                const bool trusted = askToTrustKey(fingerprint);
                if (trusted) {
                    m_confirmedKey = key;
                    m_confirmedCore = core;
                }
                m_sequence.confirmKey(trusted);
            });
    connect(&m_sequence, &ConnectSequence::succeeded, this, &ConnectDialog::finishConnected);
    connect(&m_sequence, &ConnectSequence::failed, this,
            [this](ConnectSequence::Failure failure, const QString &text) {
                setBusy(false);
                showError(text);
                if (failure == ConnectSequence::Failure::KeyMismatch && askToReplacePin(text)) {
                    setBusy(true);
                    m_sequence.forgetPinAndConnect();
                }
            });

    loadProfiles(m_profiles.lastUsed());
}

void ConnectDialog::loadProfiles(const QString &select)
{
    const QSignalBlocker blocker(m_profileBox);
    m_profileBox->clear();
    for (const ConnectionProfile &profile : m_profiles.profiles())
        m_profileBox->addItem(profile.name, profile.name);
    m_profileBox->addItem(tr("New profile…"), QString());
    const int index = select.isEmpty() ? -1 : m_profileBox->findData(select);
    m_profileBox->setCurrentIndex(index >= 0 ? index : m_profileBox->count() - 1);
    showProfile(m_profileBox->currentIndex());
}

void ConnectDialog::showProfile(int index)
{
    const QString name = m_profileBox->itemData(index).toString();
    m_loaded = m_profiles.profile(name).value_or(ConnectionProfile{});
    m_removeButton->setEnabled(!name.isEmpty());
    m_name->setText(m_loaded.name);
    m_core->setText(m_loaded.coreUrl.isValid() ? m_loaded.coreUrl.toString() : QString());
    m_user->setText(m_loaded.user);
    m_password->clear();
    m_remember->setChecked(m_keychainAvailable && m_loaded.rememberPassword);
    m_keyNote->setText(m_loaded.name.isEmpty() ? tr("Shown for you to check on the first connection.")
                       : m_loaded.pinnedKey.isEmpty()
                           ? tr("A certificate issued by a trusted authority.")
                           : tr("Pinned: %1").arg(groupedFingerprint(m_loaded.pinnedKey)));
    m_status->clear();
    if (m_keychainAvailable && m_loaded.rememberPassword) {
        const QString key = m_loaded.keychainKey();
        m_vault.readPassword(key, this, [this, key](const VaultResult &result) {
            if (m_loaded.keychainKey() != key)
                return;                                      // another profile was chosen meanwhile
            if (result.ok() && m_password->text().isEmpty()) // what was typed or given meanwhile wins
                m_password->setText(result.password);
            else
                m_status->setText(result.errorText);
        });
    }
    (m_core->text().isEmpty() ? m_core : m_password)->setFocus();
}

void ConnectDialog::prefill(const ConnectionProfile &profile, const QString &password)
{
    // The saved profile of that name, or for that core and user, keeps its pin; otherwise a new one.
    std::optional<ConnectionProfile> saved = m_profiles.profile(profile.name);
    if (!saved && profile.coreUrl.isValid())
        saved = m_profiles.profileFor(profile.coreUrl, profile.user);
    const int index = saved ? m_profileBox->findData(saved->name) : m_profileBox->count() - 1;
    {
        const QSignalBlocker blocker(m_profileBox);
        m_profileBox->setCurrentIndex(index);
    }
    showProfile(index);
    if (!saved) {
        m_name->setText(profile.name);
        m_core->setText(profile.coreUrl.isValid() ? profile.coreUrl.toString() : QString());
        m_user->setText(profile.user);
    }
    if (!password.isEmpty())
        m_password->setText(password);
}

void ConnectDialog::newProfile()
{
    m_profileBox->setCurrentIndex(m_profileBox->count() - 1);
    m_core->setFocus();
}

void ConnectDialog::removeProfile()
{
    const QString name = m_profileBox->currentData().toString();
    if (name.isEmpty())
        return;
    if (QMessageBox::question(
            this, tr("Remove profile"),
            tr("Forget the profile \"%1\", its pinned key and any password kept for it?").arg(name)) !=
        QMessageBox::Yes)
        return;
    if (const std::optional<ConnectionProfile> profile = m_profiles.profile(name);
        profile && profile->rememberPassword)
        m_vault.deletePassword(profile->keychainKey(), nullptr, {});
    m_profiles.remove(name);
    loadProfiles({});
}

ConnectionProfile ConnectDialog::profileFromForm() const
{
    ConnectionProfile profile;
    profile.coreUrl = normalizedCoreUrl(m_core->text());
    profile.user = m_user->text().trimmed();
    profile.name = m_name->text().trimmed();
    if (profile.name.isEmpty())
        profile.name = profile.user + u'@' + profile.coreUrl.host();
    profile.rememberPassword = m_remember->isChecked();
    // A pin belongs to its core: another address starts with the "is this the right key?" question.
    if (m_loaded.coreUrl.isValid() && m_loaded.coreUrl.matches(profile.coreUrl, QUrl::StripTrailingSlash))
        profile.pinnedKey = m_loaded.pinnedKey;
    return profile;
}

void ConnectDialog::connectToCore()
{
    const ConnectionProfile profile = profileFromForm();
    if (!profile.coreUrl.isValid()) {
        showError(tr("Enter the core's address, e.g. core.example.org or https://192.0.2.10:4049."));
        m_core->setFocus();
        return;
    }
    if (m_password->text().isEmpty()) {
        showError(tr("Enter the password."));
        m_password->setFocus();
        return;
    }
    setBusy(true);
    m_sequence.start(profile, m_password->text());
}

void ConnectDialog::finishConnected(const ConnectionProfile &profile)
{
    m_connected = profile;
    const QString password = m_password->text();
    m_password->clear();
    if (profile.rememberPassword) {
        m_vault.writePassword(
            profile.keychainKey(), password, nullptr, [this, profile](const VaultResult &result) {
                if (result.ok())
                    return;
                // Nothing was stored: the profile must not claim otherwise.
                ConnectionProfile unremembered = profile;
                unremembered.rememberPassword = false;
                m_profiles.save(unremembered);
                QMessageBox::information(parentWidget(), tr("Password not remembered"), result.errorText);
            });
    } else if (m_loaded.rememberPassword && m_loaded.keychainKey() == profile.keychainKey()) {
        m_vault.deletePassword(profile.keychainKey(), nullptr, {});
    }
    setBusy(false);
    accept();
}

void ConnectDialog::setBusy(bool busy)
{
    m_connectButton->setEnabled(!busy);
    m_profileBox->setEnabled(!busy);
    m_addButton->setEnabled(!busy);
    m_removeButton->setEnabled(!busy && !m_profileBox->currentData().toString().isEmpty());
    for (QWidget *field : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_core),
                           static_cast<QWidget *>(m_user), static_cast<QWidget *>(m_password)})
        field->setEnabled(!busy);
}

void ConnectDialog::showError(const QString &text)
{
    m_status->setText(text);
}

bool ConnectDialog::askToTrustKey(const QString &fingerprint)
{
    QMessageBox box(QMessageBox::Question, tr("Is this your core?"),
                    tr("This is the first connection to %1. Its public key has this SHA-256 fingerprint:")
                        .arg(normalizedCoreUrl(m_core->text()).host()),
                    QMessageBox::NoButton, this);
    box.setInformativeText(
        tr("<p style='font-family: monospace; font-size: large'>%1</p>"
           "<p>Compare it, group by group, with the line <i>Core key fingerprint (SHA-256 of its public "
           "key)</i> that <b>prophasis-core init</b> printed when the core was set up (the same 64 digits, "
           "there without spaces). Only if they are the same, trust it: the console then remembers (pins) "
           "this key and refuses any other.</p>")
            .arg(fingerprint.toHtmlEscaped()));
    box.setTextFormat(Qt::RichText);
    QPushButton *trust = box.addButton(tr("The fingerprints match: trust this key"), QMessageBox::AcceptRole);
    QPushButton *cancel = box.addButton(tr("Do not connect"), QMessageBox::RejectRole);
    box.setDefaultButton(cancel);
    box.exec();
    return box.clickedButton() == trust;
}

bool ConnectDialog::askToReplacePin(const QString &explanation)
{
    QMessageBox box(QMessageBox::Warning, tr("The core's key has changed"), explanation,
                    QMessageBox::NoButton, this);
    box.setInformativeText(
        tr("Replace the pinned key only if you know the core was set up again. If it was not, someone may be "
           "intercepting the connection to read your password. If you go on, the new key is shown next and "
           "must be compared with what prophasis-core init printed."));
    QPushButton *replace =
        box.addButton(tr("I understand the risk: show the new key"), QMessageBox::DestructiveRole);
    QPushButton *keep = box.addButton(tr("Keep the pinned key"), QMessageBox::RejectRole);
    box.setDefaultButton(keep);
    box.exec();
    return box.clickedButton() == replace;
}

} // namespace prophasis
