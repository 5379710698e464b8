// Reading one field of JSON that came from outside (a report, a journal line).
// nlohmann's own get<T>() throws type_error without saying where, and converts silently
// (1.5 becomes the integer 1), so every reader of outside files goes through these:
// each checks the JSON type strictly and throws std::invalid_argument naming the place,
// e.g. "points[3].axes.batch: expected an integer, found string". The commands turn
// std::invalid_argument into exit status 2.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace shishu::reports {

namespace json_field_detail {

using nlohmann::json;

[[noreturn]] inline void wrong(const std::string& place, const char* expected, const json& value) {
  throw std::invalid_argument(place + ": expected " + expected + ", found " + value.type_name());
}

template <class T>
T convert(const json& v, const std::string& place);

template <>
inline json convert<json>(const json& v, const std::string&) {  // any type: the caller checks
  return v;
}
template <>
inline std::string convert<std::string>(const json& v, const std::string& place) {
  if (!v.is_string()) wrong(place, "a string", v);
  return v.get<std::string>();
}
template <>
inline int64_t convert<int64_t>(const json& v, const std::string& place) {
  if (!v.is_number_integer()) wrong(place, "an integer", v);
  // An unsigned value above INT64_MAX would wrap: refuse it.
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) wrong(place, "an int64", v);
  return v.get<int64_t>();
}
template <>
inline double convert<double>(const json& v, const std::string& place) {
  if (!v.is_number()) wrong(place, "a number", v);
  return v.get<double>();
}
template <>
inline bool convert<bool>(const json& v, const std::string& place) {
  if (!v.is_boolean()) wrong(place, "true or false", v);
  return v.get<bool>();
}
template <>
inline std::vector<double> convert<std::vector<double>>(const json& v, const std::string& place) {
  if (!v.is_array()) wrong(place, "an array of numbers", v);
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(convert<double>(v[i], place + "[" + std::to_string(i) + "]"));
  return out;
}
template <>
inline std::vector<std::string> convert<std::vector<std::string>>(const json& v, const std::string& place) {
  if (!v.is_array()) wrong(place, "an array of strings", v);
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(convert<std::string>(v[i], place + "[" + std::to_string(i) + "]"));
  return out;
}
template <>
inline std::map<std::string, double> convert<std::map<std::string, double>>(const json& v, const std::string& place) {
  if (!v.is_object()) wrong(place, "an object of numbers", v);
  std::map<std::string, double> out;
  for (const auto& [key, value] : v.items()) out[key] = convert<double>(value, place + "." + key);
  return out;
}

}  // namespace json_field_detail

// `value` as T; throws if it holds another type.
template <class T>
T value_as(const nlohmann::json& value, const std::string& place) {
  return json_field_detail::convert<T>(value, place);
}

// `obj[key]` as T; throws if `obj` is not an object, lacks `key`, or holds another type.
template <class T>
T field(const nlohmann::json& obj, const char* key, const std::string& place) {
  if (!obj.is_object()) json_field_detail::wrong(place, "an object", obj);
  if (!obj.contains(key)) throw std::invalid_argument(place + "." + key + ": missing");
  return json_field_detail::convert<T>(obj.at(key), place + "." + key);
}

// Likewise, with `fallback` for an absent key or a null (an optional field); a present
// value of another type is still an error.
template <class T>
T optional_field(const nlohmann::json& obj, const char* key, const std::string& place, T fallback) {
  if (!obj.is_object()) json_field_detail::wrong(place, "an object", obj);
  if (!obj.contains(key) || obj.at(key).is_null()) return fallback;
  return json_field_detail::convert<T>(obj.at(key), place + "." + key);
}

}  // namespace shishu::reports
