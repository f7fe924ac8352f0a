#pragma once

#include <QMainWindow>

namespace prophasis {

// The console's frame. Connecting to a core and the screens come with the console issues.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace prophasis
