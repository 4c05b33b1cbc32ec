// SPDX-License-Identifier: MIT
#include "sandbox/fake_llm/server.hpp"

#include "sandbox/fake_llm/completion.hpp"
#include "sandbox/http/server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cctype>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace weft::sandbox::fake_llm {

namespace json = boost::json;
namespace shttp = weft::sandbox::http;
namespace chr = std::chrono;

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(key[i])) != std::tolower(static_cast<unsigned char>(name[i])))
        same = false;
    }
    if (same) return value;
  }
  return std::nullopt;
}

struct FakeLlm::State {
  Options options;
  Script script;
  std::unique_ptr<shttp::Server> server;
  mutable std::mutex mutex;  // guards requests and arrivals
  std::vector<RecordedRequest> requests;
  std::deque<chr::steady_clock::time_point> arrivals;  // answered requests inside the rate window
  std::atomic<std::uint64_t> counter{0};

  shttp::Response chat(shttp::Request& req);
  shttp::Response models(shttp::Request& req);
  void record(const shttp::Request& req, const shttp::Response& res);
  std::optional<shttp::Response> check_rate_limit();
};

namespace {

shttp::Response openai_error(int status, const std::string& message, const std::string& type, const std::string& code) {
  json::object error;
  error["message"] = message;
  error["type"] = type;
  error["param"] = nullptr;
  if (code.empty()) {
    error["code"] = nullptr;
  } else {
    error["code"] = code;
  }
  json::object body;
  body["error"] = std::move(error);
  return shttp::Response::json(status, json::serialize(body));
}

std::string status_type(int status) {
  if (status == 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

}  // namespace

void FakeLlm::State::record(const shttp::Request& req, const shttp::Response& res) {
  RecordedRequest r;
  r.method = req.method;
  r.path = req.path;
  r.headers = req.headers;
  r.body = req.body;
  r.status = res.drop ? 0 : res.status;
  std::lock_guard lock(mutex);
  requests.push_back(std::move(r));
}

std::optional<shttp::Response> FakeLlm::State::check_rate_limit() {
  if (!options.rate_limit) return std::nullopt;
  const auto& limit = *options.rate_limit;
  const auto now = chr::steady_clock::now();
  std::lock_guard lock(mutex);
  while (!arrivals.empty() && now - arrivals.front() >= limit.window) arrivals.pop_front();
  if (arrivals.size() < limit.requests) {
    arrivals.push_back(now);
    return std::nullopt;
  }
  // Seconds until the oldest answered request leaves the window, rounded up (delta seconds).
  const auto until = arrivals.front() + limit.window - now;
  const auto seconds = std::max<std::int64_t>(1, chr::ceil<chr::seconds>(until).count());
  auto res = openai_error(429,
                          "Rate limit reached for requests (fake LLM: " + std::to_string(limit.requests) + " per " +
                              std::to_string(limit.window.count()) + " ms)",
                          "requests", "rate_limit_exceeded");
  if (limit.retry_after) res.add_header("Retry-After", std::to_string(seconds));
  if (limit.ratelimit_fields) {
    res.add_header("RateLimit-Limit", std::to_string(limit.requests));
    res.add_header("RateLimit-Remaining", "0");
    res.add_header("RateLimit-Reset", std::to_string(seconds));
  }
  return res;
}

shttp::Response FakeLlm::State::models(shttp::Request& req) {
  json::object model;
  model["id"] = options.model;
  model["object"] = "model";
  model["created"] = 0;
  model["owned_by"] = "weft-fake-llm";
  json::array data;
  data.push_back(std::move(model));
  json::object body;
  body["object"] = "list";
  body["data"] = std::move(data);
  auto res = shttp::Response::json(200, json::serialize(body));
  record(req, res);
  return res;
}

shttp::Response FakeLlm::State::chat(shttp::Request& req) {
  auto answer = [&](shttp::Response res) {
    record(req, res);
    return res;
  };
  if (!options.api_key.empty()) {
    const auto auth = req.header("authorization");
    if (!auth || *auth != "Bearer " + options.api_key) {
      std::string message = "Incorrect API key provided";
      if (options.echo_key_in_errors && auth) message += ": " + std::string(*auth);
      message += ". You can find your API key at https://platform.openai.com/account/api-keys.";
      return answer(openai_error(401, message, "invalid_request_error", "invalid_api_key"));
    }
  }
  if (auto limited = check_rate_limit()) return answer(std::move(*limited));

  json::object request;
  {
    boost::system::error_code ec;
    json::value parsed = json::parse(req.body, ec);
    if (ec || !parsed.is_object()) {
      return answer(
          openai_error(400, "We could not parse the JSON body of your request.", "invalid_request_error", ""));
    }
    request = std::move(parsed.get_object());
  }
  const auto* messages = request.if_contains("messages");
  if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) {
    return answer(openai_error(400, "'messages' must be a non-empty array", "invalid_request_error", ""));
  }
  const auto* model = request.if_contains("model");
  if (model == nullptr || !model->is_string()) {
    return answer(openai_error(400, "you must provide a model parameter", "invalid_request_error", ""));
  }
  const auto* stream_field = request.if_contains("stream");
  const bool stream = stream_field != nullptr && stream_field->is_bool() && stream_field->get_bool();
  bool include_usage = false;
  if (const auto* so = request.if_contains("stream_options"); so != nullptr && so->is_object()) {
    const auto* iu = so->get_object().if_contains("include_usage");
    include_usage = iu != nullptr && iu->is_bool() && iu->get_bool();
  }

  std::size_t index = 0;
  const auto entry = script.take(request, &index);
  if (!entry) {
    return answer(
        openai_error(500, "fake LLM: no script entry matches this request (script exhausted?)", "server_error", ""));
  }
  shttp::Response res;
  if (entry->fault) {
    const Fault& f = *entry->fault;
    if (f.drop) {
      res.drop = true;
      res.delay = f.delay;
      return answer(std::move(res));
    }
    if (f.status) {
      res = f.body ? shttp::Response::json(*f.status, *f.body)
                   : openai_error(*f.status, "fake LLM: scripted " + std::to_string(*f.status), status_type(*f.status),
                                  "");
      for (const auto& [name, value] : f.headers) res.add_header(name, value);
      res.delay = f.delay;
      return answer(std::move(res));
    }
  }
  const Reply reply = entry->reply.value_or(Reply{std::string(""), {}, "stop", -1, -1, std::nullopt});
  CompletionMeta meta;
  meta.id = "chatcmpl-fake-" + std::to_string(++counter);
  meta.model = std::string(model->get_string());
  meta.created = chr::duration_cast<chr::seconds>(chr::system_clock::now().time_since_epoch()).count();
  meta.prompt_tokens = estimate_tokens(json::serialize(*messages));
  const bool malformed = entry->fault && entry->fault->malformed;
  if (stream) {
    res.status = 200;
    res.add_header("Content-Type", "text/event-stream; charset=utf-8");
    res.add_header("Cache-Control", "no-cache");
    std::vector<shttp::Chunk> chunks;
    auto events = stream_events(reply, meta, include_usage);
    if (malformed) events.insert(events.begin() + 1, "data: {\"choices\": [{\"delta\": \n\n");
    for (auto& e : events) chunks.push_back(shttp::Chunk{std::move(e), chr::milliseconds(0)});
    res.chunks = std::move(chunks);
    if (entry->fault && entry->fault->cut_stream_after) res.drop_after_chunks = entry->fault->cut_stream_after;
  } else if (malformed) {
    res = shttp::Response::json(
        200, "{\"id\": \"" + meta.id + "\", \"object\": \"chat.completion\", \"choices\": [{\"message\": ");
  } else {
    res = shttp::Response::json(200, json::serialize(completion_object(reply, meta)));
  }
  if (entry->fault) {
    res.delay = entry->fault->delay;
    for (const auto& [name, value] : entry->fault->headers) res.add_header(name, value);
  }
  return answer(std::move(res));
}

FakeLlm::FakeLlm(const json::value& script, Options options) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->script.replace(parse_script(script));
  shttp::Router router;
  std::weak_ptr<State> weak = state_;
  router.add("POST", "/v1/chat/completions", [weak](shttp::Request& req) {
    auto s = weak.lock();
    if (!s) return shttp::Response::text(503, "stopping");
    return s->chat(req);
  });
  router.add("GET", "/v1/models", [weak](shttp::Request& req) {
    auto s = weak.lock();
    if (!s) return shttp::Response::text(503, "stopping");
    return s->models(req);
  });
  router.set_fallback([weak](shttp::Request& req) {
    auto res = openai_error(404, "Invalid URL (" + req.method + " " + req.path + ")", "invalid_request_error", "");
    if (auto s = weak.lock()) s->record(req, res);
    return res;
  });
  shttp::ServerOptions server_options;
  server_options.address = state_->options.address;
  server_options.port = state_->options.port;
  server_options.threads = state_->options.threads;
  state_->server = std::make_unique<shttp::Server>(std::move(router), server_options);
}

std::unique_ptr<FakeLlm> FakeLlm::from_file(const std::string& path, Options options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("fake LLM: cannot read script file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const json::value script = json::parse(text.str(), ec);
  if (ec) throw std::invalid_argument("fake LLM: script file '" + path + "' is not valid JSON (" + ec.message() + ")");
  return std::make_unique<FakeLlm>(script, std::move(options));
}

FakeLlm::~FakeLlm() { stop(); }

void FakeLlm::start() { state_->server->start(); }
void FakeLlm::stop() { state_->server->stop(); }
std::uint16_t FakeLlm::port() const { return state_->server->port(); }
std::string FakeLlm::base_url() const { return state_->server->base_url() + "/v1"; }

std::vector<RecordedRequest> FakeLlm::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t FakeLlm::count_status(int status) const {
  std::lock_guard lock(state_->mutex);
  std::size_t n = 0;
  for (const auto& r : state_->requests) n += r.status == status ? 1 : 0;
  return n;
}

void FakeLlm::set_script(const json::value& script) { state_->script.replace(parse_script(script)); }
std::size_t FakeLlm::script_remaining() const { return state_->script.remaining(); }

}  // namespace weft::sandbox::fake_llm
