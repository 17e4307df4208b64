#include "daemon/mgmt_server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/atomic_file.h"

namespace strata::daemon {

namespace {

// True when something accepts connections on the Unix socket `path`.
bool socket_is_live(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
  const bool live = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  close(fd);
  return live;
}

}  // namespace

Result<std::unique_ptr<MgmtServer>> MgmtServer::claim(const MgmtAddress& address) {
  std::unique_ptr<MgmtServer> s(new MgmtServer(address));
  if (!address.is_unix) return s;
  const std::string& path = address.path;
  STRATA_RETURN_IF_ERROR(make_directories(parent_directory(path), 0755).with_context("--mgmt '" + address.text + "'"));
  const std::string lock = path + ".lock";
  s->lock_fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd_ < 0) {
    return failed_precondition("--mgmt '" + address.text + "': cannot open '" + lock + "': " + errno_text(errno));
  }
  if (flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return failed_precondition("--mgmt '" + address.text + "': another stratad serves this socket (it holds '" +
                               lock + "')");
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return failed_precondition("--mgmt '" + address.text + "': '" + path + "' exists and is not a socket");
    }
    if (socket_is_live(path)) {
      return failed_precondition("--mgmt '" + address.text + "': a process already listens on '" + path + "'");
    }
    // Left by a stratad that did not stop cleanly.
    unlink(path.c_str());
  }
  return s;
}

MgmtServer::~MgmtServer() {
  shutdown(std::chrono::milliseconds(0));
  if (lock_fd_ >= 0) close(lock_fd_);
}

Status MgmtServer::serve(const std::vector<grpc::Service*>& services) {
  grpc::ServerBuilder builder;
  int tcp_port = 0;
  builder.AddListeningPort(address_.grpc_target, grpc::InsecureServerCredentials(), &tcp_port);
  // gRPC sets SO_REUSEPORT by default: a second stratad would then share
  // the first one's TCP port instead of being refused.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* s : services) builder.RegisterService(s);
  // Bound the handler threads: a flood of calls queues, it does not spawn.
  grpc::ResourceQuota quota("stratad-mgmt");
  quota.SetMaxThreads(32);
  builder.SetResourceQuota(quota);
  // gRPC creates the socket file while building; no one else may open it,
  // not even for the instant before a chmod.
  const mode_t old_umask = umask(0177);
  server_ = builder.BuildAndStart();
  umask(old_umask);
  if (!server_ || (!address_.is_unix && tcp_port == 0)) {
    server_.reset();
    return failed_precondition("--mgmt '" + address_.text + "': cannot listen there (in use, or not permitted)");
  }
  if (address_.is_unix) {
    if (chmod(address_.path.c_str(), 0600) != 0) {
      return failed_precondition("--mgmt '" + address_.text + "': cannot set mode 0600: " + errno_text(errno));
    }
    spdlog::info("management API on {} (mode 0600)", address_.grpc_target);
  } else {
    spdlog::info("management API on tcp port {} ({})", tcp_port, address_.text);
  }
  return Status::ok();
}

void MgmtServer::shutdown(std::chrono::milliseconds grace) {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
  if (address_.is_unix) unlink(address_.path.c_str());
}

}  // namespace strata::daemon
