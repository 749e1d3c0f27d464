package dmclient_test

import (
	"fmt"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

// The server sets the discovery endpoint and starts the linked enrollment.
func Example_enroll() {
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	cmds := []syncml.Command{
		le.ReplaceDiscoveryEndpoint("https://discovery.contoso.com/EnrollmentConfiguration?api-version=1.0"),
		le.ExecEnroll(),
		le.GetEnrollStatus(),
	}
	for _, c := range cmds {
		fmt.Println(c.ElementName(), c.ItemList()[0].Target.LocURI)
	}
	// Start gives those and a Get of LastError, made together.
	fmt.Println(len(le.Start("https://discovery.contoso.com/EnrollmentConfiguration?api-version=1.0")))
	// Output:
	// Replace ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/DiscoveryEndpoint
	// Exec ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll
	// Get ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus
	// 4
}

// The device answers; the server reads the Exec's Status and the Results
// of Get EnrollStatus and Get LastError.
func Example_readReply() {
	reply := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>
<SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>https://mdm.contoso.com/</LocURI></Target>
<Source><LocURI>device</LocURI></Source></SyncHdr><SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">
<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Exec</Cmd><Data msft:originalerror="0x80070002">500</Data></Status>
<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus</LocURI></Source><Data>3</Data></Item></Results>
<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/LastError</LocURI></Source><Data>-2147024894</Data></Item></Results>
<Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(reply), &m); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dmclient.ReadStatus(m.Body.Commands[0].(*syncml.Status)))

	// The LinkedEnrollment's readers take only its own provider's values.
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	st, _ := le.ReadEnrollStatus(m.Body.Commands[1].(*syncml.Results))
	fmt.Println(st, "final:", st.IsFinal(), "failed:", st.Failed())

	h, _ := le.ReadLastError(m.Body.Commands[2].(*syncml.Results))
	fmt.Println(h, h == dmclient.ErrorFileNotFound)
	// Output:
	// dmclient: Exec "3" failed: 500 Command failed (0x80070002 ERROR_FILE_NOT_FOUND)
	// EnrollmentFailed final: true failed: true
	// 0x80070002 ERROR_FILE_NOT_FOUND true
}
