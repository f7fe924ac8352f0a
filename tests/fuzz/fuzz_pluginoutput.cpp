// Fuzzes what a plugin prints and what the agent answers about a run (SPEC §3, §9): Nagios output
// and performance data with any exit code, an exec plugin's JSON, and the run result JSON the
// core reads from an agent. Besides the sanitizers' findings it checks the caps (message length,
// metric count) and that every result the agent builds survives its own wire form, so the core
// can always read what an agent sends.
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <fuzzer/FuzzedDataProvider.h>

#include "shared/plugin/execoutput.h"
#include "shared/plugin/nagiosoutput.h"
#include "shared/plugin/runresult.h"

namespace {

using prophasis::RunResult;

void checkCapsAndWireForm(const RunResult &result)
{
    if (result.message.size() > prophasis::MaxRunMessageLength ||
        result.metrics.size() > prophasis::MaxRunMetrics)
        std::abort();
    // Through JSON text and back, as from the agent to the core.
    const QByteArray wire = QJsonDocument(result.toJson()).toJson(QJsonDocument::Compact);
    QString error;
    const std::optional<RunResult> read = RunResult::fromJson(QJsonDocument::fromJson(wire).object(), &error);
    if (!read || read->metrics.size() != result.metrics.size() || read->status != result.status)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider provider(data, size);
    const int form = provider.ConsumeIntegralInRange(0, 2);
    if (form == 0) {
        const int exitCode = provider.ConsumeIntegralInRange(-1, 300);
        const std::string output = provider.ConsumeRemainingBytesAsString();
        const RunResult result =
            prophasis::parseNagiosOutput(exitCode, QByteArray(output.data(), qsizetype(output.size())));
        if (result.status == prophasis::PluginStatus::None)
            std::abort();
        checkCapsAndWireForm(result);
        return 0;
    }
    const std::string text = provider.ConsumeRemainingBytesAsString();
    const QByteArray bytes(text.data(), qsizetype(text.size()));
    QString error;
    if (form == 1) {
        const std::optional<RunResult> result = prophasis::parseExecOutput(bytes, &error);
        if (result)
            checkCapsAndWireForm(*result);
        else if (error.isEmpty())
            std::abort();
        (void)prophasis::outputPreview(bytes);
        return 0;
    }
    const std::optional<RunResult> result =
        RunResult::fromJson(QJsonDocument::fromJson(bytes).object(), &error);
    if (result)
        checkCapsAndWireForm(*result);
    return 0;
}
