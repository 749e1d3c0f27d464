package provisioning_test

import (
	"fmt"
	"time"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// An enrollment server builds the provisioning document for the
// certificate it issued; the device reads it back.
func Example() {
	rootDER := []byte("root certificate DER") // from x509.CreateCertificate
	clientDER := []byte("client certificate DER")

	doc, err := provisioning.Build(&provisioning.Enrollment{
		RootCerts:  [][]byte{rootDER},
		ClientCert: clientDER,
		Renew:      &provisioning.Renew{ROBOSupport: new(true), RenewPeriod: new(42 * 24 * time.Hour)},
		Application: &provisioning.Application{
			ProviderID:              "WinDC",
			Name:                    "WinDC",
			Addr:                    "https://mdm.example.com/ManagementServer/MDM.svc",
			BackCompatRetryDisabled: true,
			Client:                  &provisioning.AppAuth{Type: "DIGEST", Secret: "server secret", Data: []byte("nonce")},
			AppSrv:                  &provisioning.AppAuth{Type: "BASIC", Name: "device", Secret: "device secret"},
		},
		DMClient: &provisioning.DMClient{
			EntDMID: "device-1",
			Poll: &provisioning.Poll{
				NumberOfFirstRetries:         new(8),
				IntervalForFirstSetOfRetries: new(15 * time.Minute),
			},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := doc.MarshalText() // base64 of this goes in the RSTR
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(text))

	// The device side.
	var got provisioning.Document
	if err := got.UnmarshalText(text); err != nil {
		fmt.Println(err)
		return
	}
	e, err := got.Enrollment()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Application.Addr, e.DMClient.ProviderID, string(e.ClientCert))
	// Output:
	// <wap-provisioningdoc version="1.1">
	//   <characteristic type="CertificateStore">
	//     <characteristic type="Root">
	//       <characteristic type="System">
	//         <characteristic type="CFE1A37A9BAB3F40204E316AFBB5B80809F36233">
	//           <parm name="EncodedCertificate" value="cm9vdCBjZXJ0aWZpY2F0ZSBERVI="/>
	//         </characteristic>
	//       </characteristic>
	//     </characteristic>
	//   </characteristic>
	//   <characteristic type="CertificateStore">
	//     <characteristic type="My">
	//       <characteristic type="User">
	//         <characteristic type="BE93B21036CAA6D55F4018F7A5AA126779C3BC8A">
	//           <parm name="EncodedCertificate" value="Y2xpZW50IGNlcnRpZmljYXRlIERFUg=="/>
	//         </characteristic>
	//         <characteristic type="PrivateKeyContainer"/>
	//       </characteristic>
	//       <characteristic type="WSTEP">
	//         <characteristic type="Renew">
	//           <parm name="ROBOSupport" value="true" datatype="boolean"/>
	//           <parm name="RenewPeriod" value="42" datatype="integer"/>
	//         </characteristic>
	//       </characteristic>
	//     </characteristic>
	//   </characteristic>
	//   <characteristic type="APPLICATION">
	//     <parm name="APPID" value="w7"/>
	//     <parm name="PROVIDER-ID" value="WinDC"/>
	//     <parm name="NAME" value="WinDC"/>
	//     <parm name="ADDR" value="https://mdm.example.com/ManagementServer/MDM.svc"/>
	//     <parm name="BACKCOMPATRETRYDISABLED"/>
	//     <parm name="DEFAULTENCODING" value="application/vnd.syncml.dm+xml"/>
	//     <characteristic type="APPAUTH">
	//       <parm name="AAUTHLEVEL" value="CLIENT"/>
	//       <parm name="AAUTHTYPE" value="DIGEST"/>
	//       <parm name="AAUTHSECRET" value="server secret"/>
	//       <parm name="AAUTHDATA" value="bm9uY2U="/>
	//     </characteristic>
	//     <characteristic type="APPAUTH">
	//       <parm name="AAUTHLEVEL" value="APPSRV"/>
	//       <parm name="AAUTHTYPE" value="BASIC"/>
	//       <parm name="AAUTHNAME" value="device"/>
	//       <parm name="AAUTHSECRET" value="device secret"/>
	//     </characteristic>
	//   </characteristic>
	//   <characteristic type="DMClient">
	//     <characteristic type="Provider">
	//       <characteristic type="WinDC">
	//         <parm name="EntDMID" value="device-1" datatype="string"/>
	//         <characteristic type="Poll">
	//           <parm name="NumberOfFirstRetries" value="8" datatype="integer"/>
	//           <parm name="IntervalForFirstSetOfRetries" value="15" datatype="integer"/>
	//         </characteristic>
	//       </characteristic>
	//     </characteristic>
	//   </characteristic>
	// </wap-provisioningdoc>
	// https://mdm.example.com/ManagementServer/MDM.svc WinDC client certificate DER
}

// A device or a proxy reads the document itself, with limits, and looks a
// setting up by its path.
func ExampleUnmarshalLimits() {
	text := []byte(`<wap-provisioningdoc version="1.1">
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w7"/>
    <parm name="PROVIDER-ID" value="MAM SyncML Server"/>
    <parm name="ADDR" value="http://localhost:88"/>
  </characteristic>
  <characteristic type="DMClient">
    <characteristic type="Provider">
      <characteristic type="MAM SyncML Server">
        <characteristic type="Poll">
          <parm name="IntervalForRemainingScheduledRetries" value="480" datatype="integer"/>
        </characteristic>
      </characteristic>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>`)
	var d provisioning.Document
	if err := provisioning.UnmarshalLimits(text, &d, provisioning.Limits{MaxBytes: 64 << 10}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Find("APPLICATION").Parm("ADDR").Value)
	poll := d.Find("DMClient").Find("Provider").Find("MAM SyncML Server").Find("Poll")
	fmt.Println(poll.Parm("IntervalForRemainingScheduledRetries").Value)

	err := provisioning.UnmarshalLimits(text, &d, provisioning.Limits{MaxDepth: 3})
	fmt.Println(err)
	// Output:
	// http://localhost:88
	// 480
	// provisioning: limit MaxDepth (3) exceeded at offset 317 in /wap-provisioningdoc/characteristic/characteristic
}
