// Command windc runs the Windows declared configuration (WinDC) protocol
// end to end on the loopback interface: an MDM server and a simulated
// Windows device talk SyncML over HTTP, and the program prints what each
// side sends and concludes.
//
//	go run ./examples/windc        # the narrative, commands shown compactly
//	go run ./examples/windc -v     # every message also in full
//	go run ./examples/windc -trace DIR  # every message also written to DIR, one file each
//
// The steps:
//
//  1. The server listens on 127.0.0.1 (an ephemeral port, TLS with a
//     certificate of the demo's enrollment CA) with a discovery endpoint
//     (discovery.Handler), the MS-MDE2 policy and enrollment services
//     (mde2.Server) and two OMA-DM endpoints: the primary enrollment's and
//     the WinDC one, whose sessions are identified by their TLS client
//     certificate (session.ClientCertificate).
//  2. Primary session: the device checks in (Alert 1201, DevInfo); the
//     server sets DMClient LinkedEnrollment/DiscoveryEndpoint, executes
//     LinkedEnrollment/Enroll and reads EnrollStatus and LastError
//     (dmclient builders and readers). The device's LinkedEnrollment
//     handler (dmclient/device) runs discovery (discovery.Client), then
//     MS-MDE2 (device.MDE2: GetPolicies, RequestSecurityToken with a new
//     key and the device token of a stand-in for Entra ID); it reads the
//     provisioning document, and the WinDC sessions present the issued
//     certificate.
//  3. WinDC session: the server's reconciler (declaredconfig/reconcile)
//     declares a VPNv2 document and sets RefreshInterval; the device's
//     declared configuration agent (declaredconfig/agent) checks the
//     document at once, applies it to an in-memory configuration after the
//     session, and asks for another, in which its 1224 summary reports it;
//     the reconciler reads it (its results once more) and finds it applied.
//  4. Drift: a setting changes locally and the agent's refresh repairs it
//     (no session needed); then a local policy keeps the agent from
//     repairing it: the agent reports the document failed with a new
//     result checksum and asks for a session; the server sees it drifted,
//     reads which setting failed, and re-declares the document under a new
//     checksum; the device applies it once the policy is lifted and the
//     server finds it in sync.
//  5. Final state: the program checks both sides' view.
//  6. Unenroll: the server executes LinkedEnrollment/Unenroll; the
//     handler's Unenroller runs the agent's Unenroll, which deletes what
//     the document set; EnrollStatus reads 8.
//
// Both sides run on the session layer (syncml/session): the server's
// endpoints are session.Servers that number, answer and correlate every
// message and hand each command sent back with its Status and Results; the
// device is a session.Client whose Mux routes the server's commands to
// handlers for the DMClient and DeclaredConfiguration subtrees. The
// program only decides what to send and reads what came back. Every
// message is real bytes on a real connection, and the device's transport
// checks each with Message.Validate, both ways.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
)

func main() {
	verbose := flag.Bool("v", false, "also print every SyncML message in full")
	trace := flag.String("trace", "", "write every SyncML message exchanged to `DIR`, one file each")
	flag.Parse()
	if err := runTrace(os.Stdout, *verbose, *trace); err != nil {
		fmt.Fprintln(os.Stderr, "windc:", err)
		os.Exit(1)
	}
}

// run runs the whole demo and writes the narrative to w.
func run(w io.Writer) error { return runWith(w, false) }

func runWith(w io.Writer, verbose bool) error { return runTrace(w, verbose, "") }

// runTrace runs the demo; when traceDir is set, every message that crosses
// the wire is also written there, one file each.
func runTrace(w io.Writer, verbose bool, traceDir string) error {
	log := &narrator{w: w, verbose: verbose}
	if traceDir != "" {
		if err := os.MkdirAll(traceDir, 0o755); err != nil {
			return err
		}
	}

	// 1. The MDM server, on loopback TLS with a certificate of the
	// enrollment CA, which the device trusts; it asks for client
	// certificates (the WinDC sessions present theirs).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "https://" + ln.Addr().String()
	ca, err := mde2.NewMemoryCA("Contoso demo enrollment root")
	if err != nil {
		return err
	}
	srv := newServer(log, base, ca)
	h, err := srv.handler()
	if err != nil {
		return err
	}
	cert, err := ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root())
	tlsLn := tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    roots,
	})
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: stdlog.New(io.Discard, "", 0)}
	go func() { _ = hs.Serve(tlsLn) }()
	defer hs.Close()

	client := &http.Client{
		Timeout: 10 * time.Second,
		// Loopback only: never a proxy. The wire prints each message.
		Transport: &wire{log: log, trace: traceDir,
			next: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots}}},
	}
	defer client.CloseIdleConnections()

	log.step("1. MDM server on %s (TLS)", base)
	log.printf("  discovery endpoint   %s%s\n", base, pathDiscovery)
	log.printf("  MS-MDE2 policy       %s%s\n", base, pathPolicy)
	log.printf("  MS-MDE2 enrollment   %s%s\n", base, pathEnrollment)
	log.printf("  primary OMA-DM       %s%s\n", base, pathPrimary)
	log.printf("  WinDC OMA-DM         %s%s (devices identified by their client certificate)\n", base, pathWinDC)

	dev, err := newDevice(log, client, base+pathPrimary, srv.entra.token)
	if err != nil {
		return err
	}
	defer dev.linked.Close()

	// 2. The primary enrollment starts the linked one.
	log.step("2. Primary enrollment session: start the linked (WinDC) enrollment; discovery, then MS-MDE2")
	if err := dev.session(dev.primaryURL, false); err != nil {
		return fmt.Errorf("primary session: %w", err)
	}
	if dev.winDCURL() == "" || dev.winDC == nil {
		return errors.New("the device did not enroll with the WinDC service")
	}
	log.printf("  [device] the WinDC account's sessions go to %s, presenting the issued certificate\n", dev.winDCURL())

	// 3. The first WinDC session declares the document and sets
	// RefreshInterval.
	ctx := context.Background()
	srv.mu.Lock()
	srv.devices[dev.id].refreshInterval = 30
	srv.mu.Unlock()
	log.step("3. WinDC session: declare a document, set RefreshInterval; the agent applies it and reports")
	if err := dev.session(dev.winDCURL(), true); err != nil {
		return fmt.Errorf("first WinDC session: %w", err)
	}
	// The agent checked the document's syntax in the session and applies
	// it afterwards (its worker's job, done here in step), then asks for
	// a session to report.
	log.printf("  [agent] the worker applies what the server declared\n")
	if err := dev.agent.ApplyPending(ctx); err != nil {
		return err
	}
	if err := dev.sessionIfAsked(); err != nil {
		return fmt.Errorf("report session: %w", err)
	}

	// 4. Drift.
	log.step("4. Drift: the agent repairs what it can; what it cannot, the server repairs")
	alwaysOn := declaredconfig.SettingURI("Device", "./Vendor/MSFT/VPNv2", "ContosoVPN/AlwaysOn")
	log.printf("  [local] someone turns AlwaysOn off: %s = \"false\"\n", alwaysOn)
	if err := dev.surface.Set(ctx, alwaysOn, "false"); err != nil {
		return err
	}
	log.printf("  [agent] refresh task runs (every %v)\n", dev.agent.RefreshInterval())
	if asked, err := dev.refresh(); err != nil || asked {
		return fmt.Errorf("a repaired drift asked for a session (%v)", err)
	}
	log.printf("  [agent] repaired locally: the document stays in sync, its result_checksum unchanged; no session\n")

	log.printf("  [local] AlwaysOn is turned off again, and a local policy now locks it\n")
	if err := dev.surface.Set(ctx, alwaysOn, "false"); err != nil {
		return err
	}
	dev.surface.Refuse = func(op, uri string) error {
		if uri == alwaysOn {
			return errors.New("locked by a local policy")
		}
		return nil
	}
	log.printf("  [agent] refresh task runs\n")
	asked, err := dev.refresh()
	if err != nil {
		return err
	}
	if !asked {
		return errors.New("the agent did not ask for a session for a drift it cannot repair")
	}
	if err := dev.sessionIfAsked(); err != nil {
		return fmt.Errorf("drift session: %w", err)
	}
	log.printf("  [local] the local policy is lifted\n")
	dev.surface.Refuse = nil
	log.printf("  [agent] the worker applies the new version\n")
	if err := dev.agent.ApplyPending(ctx); err != nil {
		return err
	}
	if err := dev.sessionIfAsked(); err != nil {
		return fmt.Errorf("report session: %w", err)
	}

	// 5. Where everything stands.
	log.step("5. Final state")
	log.printf("  [agent] refresh task runs again\n")
	if asked, err := dev.refresh(); err != nil || asked {
		return fmt.Errorf("the agent still finds drift after the repair (%v)", err)
	}
	for _, n := range dev.nodes("./Device/Vendor/MSFT/VPNv2/") {
		log.printf("  [device] %s\n", n)
	}
	if err := srv.conclude(dev); err != nil {
		return err
	}

	// 6. Unenroll.
	log.step("6. Unenroll: the primary server removes the linked enrollment; the device rolls back what WinDC applied")
	srv.mu.Lock()
	srv.devices[dev.id].unenroll = true
	srv.mu.Unlock()
	if err := dev.session(dev.primaryURL, false); err != nil {
		return fmt.Errorf("unenroll session: %w", err)
	}
	return srv.concludeUnenroll(dev)
}

// conclude prints the server's final view and checks that it is the
// expected one.
func (s *server) conclude(dev *device) error {
	st, err := s.rec.Status(context.Background(), dev.id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) > 0 {
		return fmt.Errorf("the server saw %d protocol problem(s), the first: %w", len(s.faults), s.faults[0])
	}
	m, d := s.devices[dev.id], st.Doc(declaredID)
	if m == nil || d == nil || len(st.Docs) != 1 {
		return errors.New("the server has no record of the device's document")
	}
	s.log.printf("  [server] linked enrollment: %v\n", m.enrollState)
	s.log.printf("  [server] RefreshInterval: %s minutes\n", st.RefreshInterval)
	s.log.printf("  [server] document %s version %s: %v (%v)\n", d.URI.DocID, d.Checksum, d.Condition, d.State)
	switch {
	case m.enrollState != dmclient.StatusEnrollmentSucceeded:
		return fmt.Errorf("linked enrollment is %v", m.enrollState)
	case st.RefreshInterval != "30":
		return fmt.Errorf("RefreshInterval reads %q", st.RefreshInterval)
	case d.Condition != reconcile.InSync || d.Checksum != "A1":
		return fmt.Errorf("document is %v at version %s", d.Condition, d.Checksum)
	}
	return s.log.err
}

// concludeUnenroll checks that the unenroll removed the enrollment and
// what it applied, and prints the outcome.
func (s *server) concludeUnenroll(dev *device) error {
	left := dev.nodes("")
	docs := len(dev.agent.Snapshot().Documents)
	dev.log.printf("  [device] configuration nodes left: %d; documents held: %d; WinDC account: %v\n", len(left), docs, dev.winDC != nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.devices[dev.id]
	s.log.printf("  [server] linked enrollment: %v\n", m.enrollState)
	switch {
	case len(s.faults) > 0:
		return fmt.Errorf("the server saw %d protocol problem(s), the first: %w", len(s.faults), s.faults[0])
	case m.enrollState != dmclient.StatusUnenrollmentSucceeded:
		return fmt.Errorf("after Unenroll the linked enrollment is %v", m.enrollState)
	case len(left) != 0 || docs != 0 || dev.winDC != nil:
		return fmt.Errorf("after Unenroll the device holds %v and %d document(s)", left, docs)
	}
	s.log.printf("\nOK: linked enrollment (discovery, MS-MDE2, sessions identified by the issued certificate) succeeded;\n" +
		"    document in sync after drift repair, RefreshInterval 30; Unenroll rolled back what WinDC applied.\n")
	return s.log.err
}
