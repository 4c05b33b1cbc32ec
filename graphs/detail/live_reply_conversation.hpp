// SPDX-License-Identifier: MIT
#pragma once
// live_reply's view of a conversation: the visitor message a run answers, the excerpt that led to
// it, and the thread's memory of the visitor messages it already answered (by fingerprint), which
// keeps a message from being answered twice when a hook is delivered again.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace weft::graphs::detail::live_reply {

/// Visitor messages a thread remembers answering (oldest forgotten first).
inline constexpr std::size_t kRememberedReplies = 200;
/// Messages of the excerpt shown to the model and to a human, ending with the one answered.
inline constexpr std::size_t kExcerptMessages = 10;

/// A Crisp message's fingerprint (integer), or nullopt.
std::optional<std::int64_t> fingerprint_of(const boost::json::object& message);

/// {"session_id", "visitor_message", "excerpt"} from list_all_crisp_messages' answer: the visitor
/// text message with the input's message_fingerprint (default: the latest visitor text message),
/// and up to kExcerptMessages text lines ending with it. Throws weft::Error(graphs::error::not_found)
/// when there is no such message.
boost::json::object conversation_of(const boost::json::object& input, const boost::json::value& messages);

/// The key under which a thread remembers answering a visitor message: its fingerprint ("" when
/// it has none).
std::string message_key(const boost::json::object& conversation);

/// The read node's update: the conversation, the earlier reply to the same visitor message (from
/// `replied`, or null), and every per-message channel cleared.
boost::json::object read_update(const boost::json::object& input, const boost::json::value& messages,
                                const boost::json::value& replied);

/// The visitor's lines of the excerpt, one per line (what the offline model classifies).
std::string visitor_text(const boost::json::object& conversation);

/// The conversation as quoted to the model: {"visitor_message", "conversation": [{from, text}]}.
boost::json::object quoted_conversation(const boost::json::object& conversation);

/// `replied` with `record` added under `key` (nothing when `key` is empty), keeping the newest
/// kRememberedReplies.
boost::json::object remember_reply(const boost::json::value& replied, const std::string& key,
                                   boost::json::object record);

}  // namespace weft::graphs::detail::live_reply
