// SPDX-License-Identifier: MIT
#pragma once
// Which conversation a progress line is about: "session_9f2c (Ada Lovelace, "Webhook failures")".
// The names are learnt from what the run streams (a fetched list of conversations, a read
// conversation, a triage result), so a later line that only carries a session id can name it.

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <vector>

namespace weft::cli {

class ConversationNames {
 public:
  /// Remembers the name of every object with a "session_id" in `data` (a few levels deep): its
  /// "nickname" (or "visitor", or "email"), and "subject" (or "segment"/"title") when present.
  void learn(const boost::json::value& data);
  /// "SESSION (nickname, "subject")", or SESSION alone when nothing is known.
  std::string label(const std::string& session_id) const;
  /// The labels of the conversations `data` is about (session ids found a few levels deep), in
  /// order; more than three are counted instead ("20 sessions").
  std::vector<std::string> about(const boost::json::value& data) const;

 private:
  struct Name {
    std::string nickname;
    std::string subject;
  };
  std::map<std::string, Name> names_;
};

}  // namespace weft::cli
