#include <QtTest>

#include <memory>

#include "tests/classify/classifytesthelpers.h"

using namespace prophasis;
using namespace prophasis::classifytest;

namespace {

// Walks everything a classifier can reach without the debug library (globals, library tables,
// metatables given out, the strings' metatable) and fails naming each way out of the sandbox it
// finds: a key that names a file, process or loader function, or a userdata (a file handle).
// tests/classify/tst_classifierworker.cpp tries each known escape by hand (os, io, load, dofile,
// require, package, debug, string.dump, bytecode, metatables); this also catches one left in a
// place nobody thought to try, e.g. a library table that kept a reference to io.
// In a file of its own: moc cannot read a raw string literal that holds Lua.
QString reachWalk()
{
    QFile file(QStringLiteral(PROPHASIS_REACH_WALK));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

// The classifier sandbox (shared/luasandbox, run by the real prophasis-core-classifier) reaches
// neither the file system nor the process. The agent's plugin worker uses the same sandbox but
// deliberately adds prophasis.read_file / run / list_dir for plugins, which are packages an admin
// installed (and may require to be signed); classifiers are text sent through the API.
class TestClassifierSandbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(WorkerProgram), qPrintable(WorkerProgram));
        QVERIFY(reachWalk().contains(QStringLiteral("banned")));
    }

    void nothingReachableLeadsOut()
    {
        ClassifierWorkerOptions options;
        options.workerProgram = WorkerProgram;
        options.jobTimeoutMs = 20000; // generous: the walk ends by itself on a busy machine
        ClassifierWorkerClient client(options);
        const ClassificationOutcome outcome = classifyOne(client, job(reachWalk()));
        QVERIFY2(outcome.state == State::Ok, qPrintable(outcome.error));
    }

    // The walk itself can fail: the same walk told to look for a name that is there finds it.
    void theWalkFindsWhatIsThere()
    {
        ClassifierWorkerOptions options;
        options.workerProgram = WorkerProgram;
        options.jobTimeoutMs = 20000;
        ClassifierWorkerClient client(options);
        QString planted = reachWalk();
        planted.replace(QStringLiteral("\"path\"}) do"), QStringLiteral("\"path\", \"upper\"}) do"));
        const ClassificationOutcome outcome = classifyOne(client, job(planted));
        QCOMPARE(outcome.state, State::Unknown);
        QVERIFY2(outcome.error.contains(QStringLiteral("reachable: ")) &&
                     outcome.error.contains(QStringLiteral(".string.upper")),
                 qPrintable(outcome.error));
    }
};

QTEST_GUILESS_MAIN(TestClassifierSandbox)
#include "tst_classifiersandbox.moc"
