#pragma once

#include <QDialog>

#include "console/connect/connectionprofile.h"
#include "console/connect/connectsequence.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace prophasis {

class ApiClient;
class PasswordVault;
class ProfileStore;

// "Connect to a core": saved profiles (add, remove), the core's address, user and password, and
// whether to remember the password in the system keychain. Drives a ConnectSequence; on the
// first connection it shows the core's key fingerprint to compare with what
// `prophasis-core init` printed, and pins it once confirmed. Accepted when logged in.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectDialog(ApiClient &client, ProfileStore &profiles, PasswordVault &vault, QWidget *parent = nullptr);

    // Fills the form (e.g. from the command line when no key was known yet).
    void prefill(const ConnectionProfile &profile, const QString &password = {});
    // After accept(): the profile that connected (with its pin).
    ConnectionProfile connectedProfile() const { return m_connected; }

protected:
    // The first-connection question, as a modal message box; true when the person confirmed.
    virtual bool askToTrustKey(const QString &fingerprint);
    // After a key mismatch: whether the person, told the risk, wants to replace the pinned key.
    virtual bool askToReplacePin(const QString &explanation);

private:
    void loadProfiles(const QString &select);
    void showProfile(int index);
    void newProfile();
    void removeProfile();
    void connectToCore();
    ConnectionProfile profileFromForm() const;
    void setBusy(bool busy);
    void showError(const QString &text);
    void finishConnected(const ConnectionProfile &profile);

    ApiClient &m_client;
    ProfileStore &m_profiles;
    PasswordVault &m_vault;
    ConnectSequence m_sequence;
    ConnectionProfile m_loaded; // the saved profile the form started from (its pin is kept only for its core)
    ConnectionProfile m_connected;
    bool m_keychainAvailable = false;
    QString m_confirmedKey; // the key confirmed in this dialog, for m_confirmedCore
    QUrl m_confirmedCore;
    QComboBox *m_profileBox = nullptr;
    QPushButton *m_addButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_core = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_remember = nullptr;
    QLabel *m_keyNote = nullptr;
    QLabel *m_keychainNote = nullptr; // only where no keychain exists
    QLabel *m_status = nullptr;
    QPushButton *m_connectButton = nullptr;
};

} // namespace prophasis
