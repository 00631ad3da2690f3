#pragma once
// The emulator's bounds, in one table: what the module (or a sane stand-in for it) would never
// exceed. Every buffer that host input, a peer or a command argument can grow is capped by one of
// these, so no input can make the emulator allocate without bound. Each entry says where it
// comes from; a correction is a one-line change here.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace spwf::limits {

/// Largest payload a command keeps whole in memory (FSC, TLSCERT, …). Larger announced lengths
/// are consumed piece by piece and never allocated (the module streams payloads through its
/// buffers, spec §2.5); commands that must hold their payload refuse such lengths first.
inline constexpr std::size_t held_payload = 64 * 1024;

/// SOCKW/SOCKDW payloads are handed to the socket in pieces of at most this many bytes: the
/// largest UDP datagram over IPv4, so a UDP write up to that size stays one datagram (§9 Q26).
inline constexpr std::size_t socket_write_piece = 65507;

/// A relay of unbounded length (an HTTP body to the console) waits while this much output is
/// still unread by the host, so it runs at the host's pace (as the module's UART does).
inline constexpr std::size_t relay_unread = 64 * 1024;

/// How long a SOCKW may wait for room in a socket whose peer stopped reading before it answers
/// AT-S.ERROR:79 (spec §2.11: hosts give a send 10 s).
inline constexpr std::chrono::milliseconds socket_send_timeout{10000};

/// Indications held while a command line is open (spec §2.8). The module keeps them in its
/// ~60 KB heap (256 lines of up to 128 bytes fill half of it); beyond this many, new ones are
/// dropped until the queue is written, as a full queue on the module drops.
inline constexpr std::size_t held_indications = 256;

/// PING: the largest ICMP payload an IPv4 datagram can carry, and the most echoes one command
/// sends (its 16-bit sequence number). Larger values answer AT-S.ERROR:7 (§3.4.5 ?).
inline constexpr std::uint64_t ping_max_size = 65507;
inline constexpr std::uint64_t ping_max_count = 65535;

/// The module's heap (atcmd/HeapModel): free after boot (what STS free_heap shows on an idle
/// module; ~60 KB, spec §6.3), and what an open socket takes besides its receive buffer
/// (ip_sock_memsize x 1500): its control blocks, and for TLS the session with its record
/// buffers. ? Sizes chosen so that what the module is known to allow fits (8 sockets at the
/// factory memsize, 2 TLS clients, one socket at memsize 32) and more than the heap does not.
inline constexpr std::size_t heap_free_at_boot = 61440;
inline constexpr std::size_t heap_per_socket = 1024;
inline constexpr std::size_t heap_per_tls_session = 18432;
/// ? The HTTP client's buffer while a request runs (one TCP segment), besides a socket's share.
inline constexpr std::size_t http_buffer = 1500;

/// The largest file read from the state directory (or a --config file): twice the largest file
/// the emulator writes there (one filling volume 3, 4 MiB). A larger file was planted there (a
/// sparse one costs nothing to make) and is refused as unreadable instead of read whole.
inline constexpr std::size_t state_file_bytes = 8 * 1024 * 1024;

/// Console output kept for the first host while nobody has attached yet (the power-on
/// indications, a few hundred bytes on the module): the newest bytes are kept.
inline constexpr std::size_t console_held_before_first_host = 64 * 1024;

/// Console output queued for an attached host that does not read, beyond what the kernel's pty
/// or socket buffer holds (pty and --listen alike). Far above any answer the module gives at once
/// (its RAM is ~60 KB); newer output is then dropped, as bytes a UART receiver no longer reads
/// are lost.
inline constexpr std::size_t console_unread_output = 4 * 1024 * 1024;

/// Certificate material (spec §3.7, §7, §9 Q30). Each certificate a TLS peer sends, in DER bytes
/// (✔ ST: "2.5 KB", read as 2.5 × 1024); over it the module fails with Certificate Error:22.
inline constexpr std::size_t peer_certificate_bytes = 2560;
/// Largest RSA key in a certificate a peer sends (? an RSA-4096 intermediate gave error 22 on a
/// firmware two days older than 1.1.0; 2048 bits is the adopted ceiling).
inline constexpr std::size_t peer_rsa_key_bits = 2048;
/// AT+S.TLSCERT=cert,<len>: the stored own-certificate bundle (✔ ST: 1475 bytes).
inline constexpr std::size_t stored_cert_bytes = 1475;
/// AT+S.TLSCERT=<ca|key|auth>,<len> (? §9 Q30: 4096 bytes).
inline constexpr std::size_t stored_material_bytes = 4096;

/// Certificate signatures remembered as verified (tls/VerifiedSignatures): 64 pairs of 32-byte
/// digests, 2 KiB; a fleet of servers larger than that only costs its verifications again.
inline constexpr std::size_t verified_signatures = 64;

/// TLS client sessions open at once across SOCKON, HTTP, MQTT and WebSocket (spec §3.5: 2 TLS
/// sockets ✔, "and of all TLS clients of the module" ≈; §9 Q25).
inline constexpr unsigned tls_clients = 2;

/// MQTT and WebSocket clients share this many instances (≈ spec §3.10).
inline constexpr std::size_t application_clients = 2;
/// The receive buffer an MQTT client takes from the module's heap (atcmd/HeapModel), beside its
/// control block and TLS session (? assumed a socket's at the factory ip_sock_memsize).
inline constexpr std::size_t application_client_buffer = 1500;

/// Largest MQTT packet the client takes from a broker: a PUBLISH with a payload as large as the
/// largest MQTTPUB payload (held_payload) and a topic up to 2 KB. ? The module's own bound is
/// not known (its heap is ~60 KB). A broker announcing a larger packet gets the connection
/// closed (+WIND:87), as a client with no room for it must; nothing is allocated for it.
inline constexpr std::size_t mqtt_packet_bytes = held_payload + 2048;

/// +WIND:86 carries a message in chunks of at most this many payload bytes, one line each
/// (≈ spec §3.10: "a message longer than one line is delivered as several lines"). 64 keeps the
/// whole line inside the module's 128-byte line buffer (§2.7) for topics up to 20 bytes, with
/// the longest counts (`+WIND:86:MQTT Published:0:<topic>:0:0:0:64:65536:` is 44 bytes plus the
/// topic, then the chunk and CR LF). Longer topics give longer lines, written whole: the chunk
/// length field announces the raw bytes the host reads, so nothing may be cut.
inline constexpr std::size_t mqtt_wind_chunk = 64;

/// Default keep-alive of MQTTCONN when <KA> is empty (0 switches it off; ? the module's default is
/// not known; 60 s is the common client default) and how long the client waits for the broker's
/// answer to CONNECT, SUBSCRIBE, UNSUBSCRIBE and a QoS 1 PUBLISH before the command fails with 111.
inline constexpr unsigned mqtt_default_keep_alive_seconds = 60;
inline constexpr std::chrono::milliseconds mqtt_answer_timeout{10000};

/// A WebSocket client's receive buffer holds ip_sock_memsize x this many bytes, like a socket's
/// (? spec §3.5: the module's per-socket unit); when full, reading from the server waits for
/// WSOCKR. Also the largest piece one +WIND:88 reports.
inline constexpr std::size_t websocket_buffer_unit = 1500;

/// AT+S.SMTP (spec §3.12): the largest body the command takes (held whole while the mail is
/// sent; ? the module's own bound is not known), the longest reply line a server may send (RFC
/// 5321 §4.5.3.1.5: 512 octets with CRLF), the most lines one reply may have (an EHLO reply lists
/// a dozen extensions) and the most replies the client leaves unread before the server is
/// considered broken (the client never pipelines, so a server is one reply ahead at most).
inline constexpr std::size_t smtp_body_bytes = held_payload;
inline constexpr std::size_t smtp_reply_line = 512;
inline constexpr std::size_t smtp_reply_lines = 64;
inline constexpr std::size_t smtp_queued_replies = 4;

/// The control interface (--control, docs/control-protocol.md): the longest request line it
/// reads (a longer one is answered with an error and skipped), the clients served at once, and
/// the replies and events queued for one client that does not read; beyond that its events are
/// dropped (and counted in a "dropped" event) so a slow subscriber never slows the module.
inline constexpr std::size_t control_line = 64 * 1024;
inline constexpr std::size_t control_clients = 8;
inline constexpr std::size_t control_client_output = 1024 * 1024;
/// The module's UART receive buffer under --baud (? adopted: the STM32's DMA ring for the
/// console; ST documents no size). Host bytes that arrive while it is full (a command runs and
/// the host sends on without flow control) are lost (spec §2.11).
inline constexpr std::size_t uart_receive_buffer = 2048;
/// Fault rules held at once (--faults and the control interface's fault.add).
inline constexpr std::size_t fault_rules = 256;

/// TFTP (spec §3.13, RFC 1350). ? The module's own figures are not known. A transfer sends its
/// last packet again this many times when no answer comes within the timeout (the emulator's
/// configuration, tftp_timeout_ms), then fails. A download is refused (ERROR 3 to the server)
/// once it outgrows this, the largest volume (the external one, 4 MiB); the target volume's free
/// space usually stops it first. While a transfer runs it holds a socket's share of the heap and
/// a block buffer (one DATA packet). The module's own server serves this many transfers at once;
/// further requests get ERROR 0 ("busy").
inline constexpr unsigned tftp_retries = 5;
inline constexpr std::size_t tftp_download_bytes = 4096 * 1024;
inline constexpr std::size_t tftp_buffer = 516;
inline constexpr std::size_t tftp_server_transfers = 2;

/// AT+S.FWUPDATE/FSUPDATE: the largest image kept (? the module's update area is not known; its
/// STM32F4 has 2 MB of flash, so no image can be larger). A larger body stops the download
/// ("Write chunk", 111); it is held in memory up to this bound only, then written atomically.
inline constexpr std::size_t update_image_bytes = 2 * 1024 * 1024;

/// AT+S.INPUTSSI: the longest text kept for the web server's input SSI tag (? not known; one
/// console line's worth). A longer <length> answers 32 before the payload (spec §9 Q7).
inline constexpr std::size_t input_ssi_bytes = 512;

/// Files one volume holds at most (FSC, TFTPGET, HTTPGET <DownFile>, SCAN <filename> create
/// files). ? The module's volumes are flat FAT volumes: their root directory has a fixed number
/// of entries (FatFs formats 512) and a long name takes at least two, so 256 is adopted. Without
/// it the emulator, which counts content bytes only, would hold a million one-byte files (and as
/// many host files) in the 1 MiB user volume. A new file beyond it fails as a full directory does
/// on FatFs (f_open refuses): AT-S.ERROR:51:Unable to open file.
inline constexpr std::size_t volume_files = 256;

}  // namespace spwf::limits
