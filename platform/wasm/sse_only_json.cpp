// JSON outputs are left out of the web core module to keep it within its size budget: the
// response-format checks (core/src/request/response_format.cpp) and the schema validator
// (core/src/json/json_schema.cpp) cost ~4 KB gzipped, PartialObjects with its PartialJson
// (core/src/json/partial_*.cpp) ~3 KB more. The npm package loads the full core module for a
// stream with a JSON responseFormat, or with tools unless partialObjects is false (needsFullCore),
// so what is here is only seen by code that drives this module directly: JSON output is refused,
// and no partial objects are shown.
#include "llmstream/json_schema.h"
#include "llmstream/partial_objects.h"
#include "request/request_internal.h"

namespace llmstream {

namespace request_internal {

bool ValidateResponseFormat(const ProviderConfig& /*config*/, WireApi /*api*/,
                            const CompletionRequest& request, Error* error) {
  if (!IsJsonOutput(request)) return true;
  return Invalid(error, "response_format is not in the web build (the full core module has it)");
}

Json ResponseSchema(const ResponseFormat& /*format*/) { return Json::object(); }

std::string ResponseSchemaName(const ResponseFormat& /*format*/) { return {}; }

}  // namespace request_internal

struct PartialObjects::Value {};
struct PartialObjects::Index {};

PartialObjects::PartialObjects(PartialObjectsOptions options) : options_(options) {}
PartialObjects::~PartialObjects() = default;
PartialObjects::PartialObjects(PartialObjects&&) noexcept = default;
PartialObjects& PartialObjects::operator=(PartialObjects&&) noexcept = default;

std::span<const Event> PartialObjects::Observe(std::span<const Event> /*events*/) { return {}; }

bool ValidateJson(std::string_view /*schema_json*/, std::string_view /*json_text*/, Error* error) {
  return request_internal::Invalid(error, "ValidateJson is not in the web build");
}

}  // namespace llmstream
