#include "console/app/mainwindow.h"

#include <QLabel>

namespace prophasis {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Prophasis"));
    auto *placeholder = new QLabel(tr("Not connected to a Prophasis core."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    resize(1024, 700);
}

} // namespace prophasis
