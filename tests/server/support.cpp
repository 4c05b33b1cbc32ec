// SPDX-License-Identifier: MIT
#include "support.hpp"

#include "engine/state_graph.hpp"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <future>
#include <map>
#include <mutex>
#include <random>

namespace json = boost::json;
using namespace weft;

namespace server_test {
namespace {

graphs::GraphDefinition definition(std::string name, const char* schema,
                                   decltype(graphs::GraphDefinition::build) build) {
  graphs::GraphDefinition d;
  d.name = std::move(name);
  d.description = "test graph " + d.name;
  d.input_schema = json::parse(schema).as_object();
  d.build = std::move(build);
  return d;
}

const char* kWordSchema = R"({"type":"object","properties":{"word":{"type":"string","default":"hi"}},
  "additionalProperties":false})";

std::mutex& visitor_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, int>& visitor_in_flight() {
  static std::map<std::string, int> m;
  return m;
}
int& visitor_max_overlap() {
  static int n = 0;
  return n;
}

}  // namespace

int visitor_runs_at_once_on_one_thread() {
  std::lock_guard lock(visitor_mutex());
  return visitor_max_overlap();
}

void reset_visitor_runs_at_once() {
  std::lock_guard lock(visitor_mutex());
  visitor_max_overlap() = 0;
}

graphs::GraphRegistry test_graphs() {
  graphs::GraphRegistry registry;
  registry.add(definition("steps", kWordSchema, [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g({{"input", Channel::last_value()}, {"log", Channel::append()}}, "steps");
    g.add_node("first", [](StateView, NodeContext ctx) {
      ctx.emit(json::object{{"at", "first"}});
      return json::object{{"log", "first"}};
    });
    g.add_node("second", [](StateView, NodeContext) { return json::object{{"log", "second"}}; });
    g.add_edge(std::string(START), "first");
    g.add_edge("first", "second");
    g.add_edge("second", std::string(END));
    return g.compile(std::move(options));
  }));
  registry.add(definition("review", kWordSchema, [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g(
        {{"input", Channel::last_value()}, {"draft", Channel::last_value()}, {"answer", Channel::last_value()}},
        "review");
    g.add_node("draft", [](StateView, NodeContext) { return json::object{{"draft", "hello"}}; });
    g.add_node("ask", [](StateView, NodeContext ctx) {
      json::value answer = ctx.interrupt(json::object{{"question", "send it?"}});
      return json::object{{"answer", answer}};
    });
    g.add_edge(std::string(START), "draft");
    g.add_edge("draft", "ask");
    g.add_edge("ask", std::string(END));
    return g.compile(std::move(options));
  }));
  registry.add(definition("slow", R"({"type":"object","properties":{"ms":{"type":"integer","default":300}}})",
                          [](const graphs::GraphServices&, CompileOptions options) {
                            StateGraph g({{"input", Channel::last_value()}, {"log", Channel::append()}}, "slow");
                            g.add_node("wait", [](StateView s, NodeContext) -> boost::asio::awaitable<json::object> {
                              const std::int64_t ms = s.at("input").as_object().at("ms").to_number<std::int64_t>();
                              auto executor = co_await boost::asio::this_coro::executor;
                              boost::asio::steady_timer timer(executor, std::chrono::milliseconds(ms));
                              co_await timer.async_wait(boost::asio::use_awaitable);
                              co_return json::object{{"log", "waited"}};
                            });
                            g.add_edge(std::string(START), "wait");
                            g.add_edge("wait", std::string(END));
                            return g.compile(std::move(options));
                          }));
  registry.add(definition("talk", kWordSchema, [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g({{"input", Channel::last_value()}, {"reply", Channel::last_value()}, {"log", Channel::append()}},
                 "talk");
    g.add_node("speak", [](StateView, NodeContext ctx) {
      for (const char* piece : {"Hel", "lo, ", "world"}) ctx.emit_token(piece);
      return json::object{{"reply", "Hello, world"}};
    });
    g.add_node("after", [](StateView, NodeContext) { return json::object{{"log", "after"}}; });
    g.add_edge(std::string(START), "speak");
    g.add_edge("speak", "after");
    g.add_edge("after", std::string(END));
    return g.compile(std::move(options));
  }));
  // "visitor": what a Crisp hook starts; records the input it was given (session, fingerprint).
  registry.add(
      definition("visitor",
                 R"({"type":"object","properties":{"session_id":{"type":"string"},
                              "message_fingerprint":{"type":"integer"},"website_id":{"type":"string"},
                              "tag":{"type":"string"}},"additionalProperties":false})",
                 [](const graphs::GraphServices&, CompileOptions options) {
                   StateGraph g({{"input", Channel::last_value()}, {"log", Channel::append()}}, "visitor");
                   g.add_node("note", [](StateView s, NodeContext ctx) -> boost::asio::awaitable<json::object> {
                     // Counts the runs of each thread in flight at once; a moment's wait gives overlaps a chance.
                     // The count is released by a destructor, so a run abandoned by a stopping server (its frame
                     // destroyed mid-wait) does not look like one still running.
                     struct InFlight {
                       std::string thread;
                       explicit InFlight(std::string t) : thread(std::move(t)) {
                         std::lock_guard lock(visitor_mutex());
                         const int now = ++visitor_in_flight()[thread];
                         visitor_max_overlap() = std::max(visitor_max_overlap(), now);
                       }
                       ~InFlight() {
                         std::lock_guard lock(visitor_mutex());
                         --visitor_in_flight()[thread];
                       }
                     } in_flight(ctx.thread_id());
                     auto executor = co_await boost::asio::this_coro::executor;
                     boost::asio::steady_timer timer(executor, std::chrono::milliseconds(1));
                     co_await timer.async_wait(boost::asio::use_awaitable);
                     co_return json::object{{"log", s.at("input")}};
                   });
                   g.add_edge(std::string(START), "note");
                   g.add_edge("note", std::string(END));
                   return g.compile(std::move(options));
                 }));
  return registry;
}

std::string Reply::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  }
  return {};
}

std::vector<SseEvent> parse_sse(const std::string& body) {
  std::vector<SseEvent> out;
  SseEvent current;
  std::size_t i = 0;
  while (i < body.size()) {
    std::size_t end = body.find('\n', i);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(i, end - i);
    i = end + 1;
    if (line.empty()) {
      if (!current.event.empty()) out.push_back(current);
      current = {};
      continue;
    }
    if (line.rfind("event: ", 0) == 0)
      current.event = line.substr(7);
    else if (line.rfind("data: ", 0) == 0)
      current.data = line.substr(6);
    else if (line.rfind("id: ", 0) == 0)
      current.id = line.substr(4);
  }
  return out;
}

TestServer::TestServer(server::ServerOptions options, std::string folder, std::shared_ptr<Clock> clock)
    : folder_(std::move(folder)) {
  if (folder_.empty()) {
    std::random_device rd;
    folder_ = (std::filesystem::temp_directory_path() / ("weft-server-test-" + std::to_string(rd()))).string();
    std::filesystem::create_directories(folder_);
    owns_folder_ = true;
  }
  const std::string db = folder_ + "/weft.db";
  try {
    store_ = std::make_shared<SqliteStore>(db);
    server::ServerEnvironment env;
    env.registry = test_graphs();
    env.services.model = nullptr;
    env.checkpointer = store_;
    env.journal = store_;
    env.catalog_path = db;
    env.clock = std::move(clock);
    server_ = std::make_unique<server::Server>(io_, std::move(env), std::move(options));
    server_->start();
  } catch (...) {
    // Tests that expect a refused configuration must not leave the folder behind: no destructor runs.
    server_.reset();
    store_.reset();
    if (owns_folder_) {
      std::error_code ec;
      std::filesystem::remove_all(folder_, ec);
    }
    throw;
  }
  port_ = server_->port();
  thread_ = std::thread([this] { io_.run(); });
  client_ = std::make_unique<sandbox::http::Client>("127.0.0.1", port_);
}

void TestServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::promise<void> done;
  boost::asio::post(io_, [&] { server_->stop([&] { done.set_value(); }); });
  done.get_future().wait();
  io_.stop();
  thread_.join();
  // Let the closed connections' coroutines see their aborted operations and end.
  io_.restart();
  io_.poll();
}

TestServer::~TestServer() {
  client_.reset();
  stop();
  server_.reset();
  store_.reset();
  if (owns_folder_) {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }
}

Reply TestServer::request(std::string_view method, std::string_view target, std::string_view body,
                          const sandbox::http::Fields& headers) {
  sandbox::http::Fields all = headers;
  if (!body.empty()) all.emplace_back("content-type", "application/json");
  auto res = client_->request(method, target, body, all);
  Reply reply;
  reply.status = res.status;
  reply.body = res.body;
  reply.headers = res.headers;
  boost::system::error_code ec;
  json::value parsed = json::parse(res.body, ec);
  if (!ec) reply.json = std::move(parsed);
  return reply;
}

Reply TestServer::post(std::string_view target, const json::value& body, const sandbox::http::Fields& headers) {
  return request("POST", target, json::serialize(body), headers);
}

Reply TestServer::get(std::string_view target, const sandbox::http::Fields& headers) {
  return request("GET", target, {}, headers);
}

std::string detail_of(const Reply& r) {
  if (!r.json.is_object() || !r.json.as_object().contains("detail")) return "<no detail: " + r.body + ">";
  return std::string(r.json.at("detail").as_string());
}

std::string new_thread(TestServer& s, const char* graph) {
  auto r = s.post("/threads", json::object{{"metadata", json::object{{"graph_id", graph}}}});
  REQUIRE(r.status == 200);
  return std::string(r.json.at("thread_id").as_string());
}

std::int64_t count_threads(TestServer& s) { return s.post("/threads/count", json::object()).json.as_int64(); }

// Starts a stream on a raw connection, reads up to its first event, and hangs up.
void stream_and_hang_up(std::uint16_t port, const std::string& path, const json::object& body) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string text = json::serialize(body);
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                              "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string got;
  char buffer[512];
  while (got.find("event: metadata") == std::string::npos) {
    const std::size_t n = socket.read_some(boost::asio::buffer(buffer));
    got.append(buffer, n);
  }
  socket.close();
}

// The status of the thread's only run once it has ended (waits for it, polling).
std::string final_run_status(TestServer& s, const std::string& thread_id) {
  for (int i = 0; i < 2000; ++i) {
    auto runs = s.get("/threads/" + thread_id + "/runs");
    REQUIRE(runs.json.as_array().size() == 1);
    std::string status(runs.json.as_array()[0].at("status").as_string());
    if (status != "pending" && status != "running") return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "still running";
}

}  // namespace server_test
