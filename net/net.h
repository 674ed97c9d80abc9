// The whole public API of //net: an HTTP client on libcurl driven by the aio
// event loop (namespace aio::http), and TCP streams (namespace aio::net).
#ifndef AIO_NET_NET_H_
#define AIO_NET_NET_H_

#include "net/client.h"
#include "net/client_options.h"
#include "net/connection.h"
#include "net/headers.h"
#include "net/http_error.h"
#include "net/request.h"
#include "net/response.h"
#include "net/server.h"
#include "net/stream_reader.h"
#include "net/stream_writer.h"
#include "net/url.h"

#endif  // AIO_NET_NET_H_
