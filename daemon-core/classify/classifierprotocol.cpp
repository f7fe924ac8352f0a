#include "daemon-core/classify/classifierprotocol.h"

#include <nlohmann/json.hpp>

namespace prophasis {

using nlohmann::json;

std::string serializeClassifierAnswers(const ClassifierAnswers &answers)
{
    json list = json::array();
    for (const ClassifierAnswer &answer : answers.answers) {
        json item = {{"id", answer.id}};
        if (answer.missingSource) {
            item["missing"] = true;
        } else {
            item["state"] = answer.state;
            if (!answer.error.empty())
                item["error"] = answer.error;
        }
        list.push_back(std::move(item));
    }
    const json document = {
        {"batch", answers.batch},
        {"worker_ns", answers.workerNs},
        {"answers", std::move(list)},
    };
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool parseClassifierAnswers(const std::string &payload, ClassifierAnswers *answers, std::string *error)
{
    const json document = json::parse(payload, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        *error = "the answer is not a JSON object";
        return false;
    }
    const auto batch = document.find("batch");
    const auto list = document.find("answers");
    if (batch == document.end() || !batch->is_number_integer() || list == document.end() ||
        !list->is_array()) {
        *error = "the answer lacks 'batch' or 'answers'";
        return false;
    }
    answers->batch = batch->get<std::int64_t>();
    const auto workerNs = document.find("worker_ns");
    answers->workerNs =
        workerNs != document.end() && workerNs->is_number_unsigned() ? workerNs->get<std::uint64_t>() : 0;
    answers->answers.clear();
    answers->answers.reserve(list->size());
    for (const json &item : *list) {
        const auto id = item.is_object() ? item.find("id") : item.end();
        if (!item.is_object() || id == item.end() || !id->is_number_integer()) {
            *error = "an answer lacks its 'id'";
            return false;
        }
        ClassifierAnswer answer;
        answer.id = id->get<std::int64_t>();
        if (const auto missing = item.find("missing"); missing != item.end() && missing->is_boolean())
            answer.missingSource = missing->get<bool>();
        if (!answer.missingSource) {
            const auto state = item.find("state");
            if (state == item.end() || !state->is_string()) {
                *error = "an answer lacks its 'state'";
                return false;
            }
            answer.state = state->get<std::string>();
            if (const auto text = item.find("error"); text != item.end() && text->is_string())
                answer.error = text->get<std::string>();
        }
        answers->answers.push_back(std::move(answer));
    }
    return true;
}

} // namespace prophasis
