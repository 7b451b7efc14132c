// ValidateJson (llmstream/json_schema.h): the schema as nlohmann's DOM (the caller's, small), the
// value walked once with json::Reader (the provider's, any size).
#include "llmstream/json_schema.h"

#include <cmath>
#include <string>
#include <vector>

#include "json/arena.h"
#include "json/reader.h"
#include "json/writer.h"
#include "request/request_internal.h"

namespace llmstream {

namespace {

using json::ValueType;
using request_internal::Json;

// How many $refs may lead from one schema to the next without reading any of the value: enough
// for any real chain of definitions, and the end of a cycle that never reads ("$ref": "#").
constexpr int kMaxRefHops = 32;

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kNumber:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kArray:
      return "array";
    case ValueType::kObject:
      return "object";
    case ValueType::kInvalid:
      break;
  }
  return "invalid JSON";
}

bool IsIdentifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '$')) {
      return false;
    }
  }
  return true;
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == key) return &it.value();
  }
  return nullptr;
}

class Checker {
 public:
  explicit Checker(const Json& root) : root_(root) {}

  // Consumes the value at `reader`. False on the first mismatch or syntax error (message()).
  bool Check(const Json* schema, json::Reader* reader) {
    for (int hops = 0;; ++hops) {
      const Json* ref = Member(*schema, "$ref");
      if (ref == nullptr || !ref->is_string()) break;
      const Json* target = Resolve(ref->get_ref<const std::string&>());
      if (target == nullptr || hops == kMaxRefHops) {
        return reader->Skip() || Syntax(*reader);  // an unsupported or cyclic $ref: not checked
      }
      schema = target;
    }
    if (schema->is_boolean()) {
      if (schema->get<bool>()) return reader->Skip() || Syntax(*reader);
      return Mismatch("not allowed (the schema is false)");
    }
    if (!schema->is_object()) return reader->Skip() || Syntax(*reader);
    if (const Json* all = Member(*schema, "allOf"); all != nullptr && all->is_array()) {
      for (const Json& part : *all) {
        json::Reader copy = *reader;
        if (!Check(&part, &copy)) return false;
      }
    }
    for (const char* name : {"anyOf", "oneOf"}) {
      const Json* any = Member(*schema, name);
      if (any == nullptr || !any->is_array() || any->empty()) continue;
      std::string first_failure;
      bool matched = false;
      for (const Json& option : *any) {
        json::Reader copy = *reader;
        const size_t path_size = path_.size();
        if (Check(&option, &copy)) {
          matched = true;
          break;
        }
        if (copy.failed()) return false;  // a syntax error, whatever the schema
        if (first_failure.empty()) first_failure = message_;
        path_.resize(path_size);
      }
      if (!matched) {
        return Mismatch("matches none of " + std::string(name) + " (the first: " + first_failure +
                        ")");
      }
    }
    return CheckHere(*schema, reader);
  }

  const std::string& message() const { return message_; }

 private:
  // The keywords that read the value itself: type, enum / const, and by type the members.
  bool CheckHere(const Json& schema, json::Reader* reader) {
    const ValueType type = reader->Peek();
    if (type == ValueType::kInvalid) {
      reader->Skip();  // fails, saying why
      return Syntax(*reader);
    }
    if (const Json* wanted = Member(schema, "type")) {
      if (!TypeMatches(*wanted, type, *reader)) {
        return Mismatch("expected " + TypeList(*wanted) + ", got " + std::string(TypeName(type)));
      }
    }
    const Json* one = Member(schema, "const");
    const Json* list = Member(schema, "enum");
    if (one != nullptr || (list != nullptr && list->is_array())) {
      std::string_view raw;
      if (!reader->SkipRaw(&raw)) return Syntax(*reader);
      Json value;
      if (!request_internal::ParseJson(raw, &value)) return Mismatch("unreadable value");
      if (one != nullptr && !SameValue(*one, value)) {
        return Mismatch("expected " + request_internal::Dump(*one) + ", got " + std::string(raw));
      }
      if (list != nullptr && list->is_array()) {
        bool found = false;
        for (const Json& option : *list) found = found || SameValue(option, value);
        if (!found)
          return Mismatch(std::string(raw) + " is not one of " + request_internal::Dump(*list));
      }
      return true;
    }
    if (type == ValueType::kObject) return CheckObject(schema, reader);
    if (type == ValueType::kArray) {
      if (const Json* items = Member(schema, "items");
          items != nullptr && (items->is_object() || items->is_boolean())) {
        return CheckArray(*items, reader);
      }
    }
    return reader->Skip() || Syntax(*reader);
  }

  bool CheckObject(const Json& schema, json::Reader* reader) {
    const Json* properties = Member(schema, "properties");
    const Json* additional = Member(schema, "additionalProperties");
    const Json* required = Member(schema, "required");
    std::vector<bool> seen(required != nullptr && required->is_array() ? required->size() : 0);
    if (!reader->BeginObject()) return Syntax(*reader);
    std::string_view key;
    while (reader->NextField(&key)) {
      const size_t path_size = path_.size();
      AppendKey(key);
      for (size_t i = 0; i < seen.size(); ++i) {
        const Json& name = (*required)[i];
        if (name.is_string() && name.get_ref<const std::string&>() == key) seen[i] = true;
      }
      const Json* sub = properties != nullptr ? Member(*properties, key) : nullptr;
      if (sub == nullptr && additional != nullptr &&
          (additional->is_object() || additional->is_boolean())) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          return Mismatch("not allowed (additionalProperties is false)");
        }
        sub = additional;
      }
      if (sub != nullptr ? !Check(sub, reader) : !reader->Skip()) {
        return reader->failed() ? Syntax(*reader) : false;
      }
      path_.resize(path_size);
    }
    if (reader->failed()) return Syntax(*reader);
    for (size_t i = 0; i < seen.size(); ++i) {
      const Json& name = (*required)[i];
      if (seen[i] || !name.is_string()) continue;
      AppendKey(name.get_ref<const std::string&>());
      return Mismatch("missing (required)");
    }
    return true;
  }

  bool CheckArray(const Json& items, json::Reader* reader) {
    if (!reader->BeginArray()) return Syntax(*reader);
    size_t index = 0;
    while (reader->NextElement()) {
      const size_t path_size = path_.size();
      path_ += '[';
      path_ += std::to_string(index++);
      path_ += ']';
      if (!Check(&items, reader)) return reader->failed() ? Syntax(*reader) : false;
      path_.resize(path_size);
    }
    return !reader->failed() || Syntax(*reader);
  }

  static bool TypeMatches(const Json& wanted, ValueType type, const json::Reader& reader) {
    if (wanted.is_array()) {
      for (const Json& name : wanted) {
        if (TypeMatches(name, type, reader)) return true;
      }
      return false;
    }
    if (!wanted.is_string()) return true;  // not a type name: not checked
    const std::string& name = wanted.get_ref<const std::string&>();
    if (name == "integer") return type == ValueType::kNumber && IsIntegral(reader);
    return name == TypeName(type);
  }

  static bool IsIntegral(json::Reader reader) {  // a copy: looks without consuming
    int64_t whole = 0;
    if (reader.GetInt(&whole)) return true;
    double value = 0;
    return reader.GetDouble(&value) && std::isfinite(value) && value == std::floor(value);
  }

  static std::string TypeList(const Json& wanted) {
    if (!wanted.is_array()) return wanted.is_string() ? wanted.get<std::string>() : "?";
    std::string out;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (i > 0) out += i + 1 == wanted.size() ? " or " : ", ";
      out += TypeList(wanted[i]);
    }
    return out;
  }

  // JSON equality, numbers by value (1 and 1.0 are the same number).
  static bool SameValue(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    return a == b;
  }

  // "#", "#/$defs/NAME", "#/definitions/NAME"; null for anything else.
  const Json* Resolve(const std::string& ref) const {
    if (ref == "#") return &root_;
    for (std::string_view prefix :
         {std::string_view("#/$defs/"), std::string_view("#/definitions/")}) {
      if (ref.size() > prefix.size() && std::string_view(ref).substr(0, prefix.size()) == prefix) {
        const Json* defs = Member(root_, prefix.substr(2, prefix.size() - 3));
        return defs != nullptr ? Member(*defs, std::string_view(ref).substr(prefix.size()))
                               : nullptr;
      }
    }
    return nullptr;
  }

  void AppendKey(std::string_view key) {
    if (IsIdentifier(key)) {
      path_ += '.';
      path_.append(key);
    } else {
      path_ += '[';
      json::AppendString(&path_, key);
      path_ += ']';
    }
  }

  bool Mismatch(std::string what) {
    message_ = "$" + path_ + ": " + std::move(what);
    return false;
  }

  bool Syntax(const json::Reader& reader) {
    message_ = "$: not valid JSON (" + std::string(reader.error_message()) + " at byte " +
               std::to_string(reader.error_offset()) + ")";
    return false;
  }

  const Json& root_;
  std::string path_;  // after "$"
  std::string message_;
};

}  // namespace

bool ValidateJson(std::string_view schema_json, std::string_view json_text, Error* error) {
  Json schema;
  if (!request_internal::ParseJson(schema_json, &schema) ||
      !(schema.is_object() || schema.is_boolean())) {
    return request_internal::Invalid(error, "the JSON schema is not a JSON object");
  }
  json::Arena arena;
  json::Reader reader(json_text, &arena);
  Checker checker(schema);
  const bool matched = checker.Check(&schema, &reader);
  if (matched && reader.Finish()) return true;
  if (error != nullptr) {
    *error = Error{};
    error->code = ErrorCode::kSchemaMismatch;
    error->message = matched ? "$: not valid JSON (" + std::string(reader.error_message()) +
                                   " at byte " + std::to_string(reader.error_offset()) + ")"
                             : checker.message();
  }
  return false;
}

}  // namespace llmstream
