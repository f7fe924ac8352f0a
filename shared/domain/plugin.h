#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <array>
#include <utility>

#include "shared/domain/entity.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

enum class PluginRuntime
{
    Lua,
    Exec,
    Nagios,
    Server, // runs on the core against the host (HTTP, TCP, ping, DNS)
};

// How the console draws a plugin's values.
enum class PluginView
{
    Line,
    Percent,
    State,
    Messages,
};

enum class ArgumentType
{
    String,
    Integer,
    Number,
    Boolean,
};

struct PluginArgument
{
    QString name;
    ArgumentType type = ArgumentType::String;
    QJsonValue defaultValue;
    QString description;
    bool required = false;
};

// Lua code that turns the last nHistorical results of a plugin on a host into a classification.
struct Classifier
{
    QString source;
    int nHistorical = 1;
};

inline constexpr int DefaultPluginTimeoutSeconds = 10;
inline constexpr int MaxPluginTimeoutSeconds = 3600;
inline constexpr int MaxClassifierHistory = 1000;

struct Plugin : Entity
{
    QString pluginId; // reverse-DNS package id, e.g. org.prophasis.cpu_load
    QString name;
    QString description;
    QString pluginVersion;
    PluginRuntime runtime = PluginRuntime::Exec;
    QString entry;
    Classifier classifier; // the default; a check may override it
    PluginView view = PluginView::Line;
    QList<PluginArgument> arguments;
    int timeoutSeconds = DefaultPluginTimeoutSeconds;
    QStringList platforms;
    QString packageSha256; // of the current package on the core; empty for server-side plugins
};

// [a-z0-9][a-z0-9._-]{0,127}, as agent URLs require (SPEC §9).
bool isValidPluginId(QStringView id);

template <>
struct EnumNames<PluginRuntime>
{
    static constexpr std::array<std::pair<PluginRuntime, const char *>, 4> table = {{
        {PluginRuntime::Lua, "lua"},
        {PluginRuntime::Exec, "exec"},
        {PluginRuntime::Nagios, "nagios"},
        {PluginRuntime::Server, "server"},
    }};
};

template <>
struct EnumNames<PluginView>
{
    static constexpr std::array<std::pair<PluginView, const char *>, 4> table = {{
        {PluginView::Line, "line"},
        {PluginView::Percent, "percent"},
        {PluginView::State, "state"},
        {PluginView::Messages, "messages"},
    }};
};

template <>
struct EnumNames<ArgumentType>
{
    static constexpr std::array<std::pair<ArgumentType, const char *>, 4> table = {{
        {ArgumentType::String, "string"},
        {ArgumentType::Integer, "integer"},
        {ArgumentType::Number, "number"},
        {ArgumentType::Boolean, "boolean"},
    }};
};

} // namespace prophasis
