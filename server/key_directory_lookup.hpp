#pragma once
// Connects the central key directory (core/storage/key_directory.hpp, managed through the Admin
// API) to device authentication (server/device_auth.hpp): a device presenting a central key is
// looked up by its secret's hash, and GET /v1/keys/self answers with the record in the wire form
// sidecars merge into their policy (ADR 0049).
#include "core/config/central_key.hpp"
#include "core/storage/key_directory.hpp"

namespace gw::server {

class CentralServer;

// The record a sidecar receives for `row`. `revision` is the directory's revision when read.
config::CentralKeyRecord central_key_record(const storage::KeyRecord& row, uint64_t revision);

// Lets `server` authenticate devices with the keys of `directory` (call before start; the
// directory must outlive the server).
void connect_key_directory(CentralServer& server, storage::KeyDirectory& directory);

}  // namespace gw::server
