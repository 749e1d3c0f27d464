package ddf_test

import (
	"errors"
	"fmt"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
)

const exampleDDF = "\uFEFF" + `<?xml version="1.0" encoding="UTF-8"?>
<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM">
  <VerDTD>1.2</VerDTD>
  <Node>
    <NodeName>Widget</NodeName>
    <Path>./Device/Vendor/Contoso</Path>
    <DFProperties>
      <AccessType><Get /></AccessType>
      <DFFormat><node /></DFFormat>
      <Scope><Permanent /></Scope>
    </DFProperties>
    <Node>
      <NodeName></NodeName>
      <DFProperties>
        <AccessType><Add /><Delete /><Get /></AccessType>
        <DFFormat><node /></DFFormat>
        <DFTitle>Name</DFTitle>
        <Scope><Dynamic /></Scope>
      </DFProperties>
      <Node>
        <NodeName>Mode</NodeName>
        <DFProperties>
          <AccessType><Get /><Replace /></AccessType>
          <DFFormat><int /></DFFormat>
          <DefaultValue>0</DefaultValue>
          <MSFT:AllowedValues ValueType="ENUM">
            <MSFT:Enum><MSFT:Value>0</MSFT:Value><MSFT:ValueDescription>Off</MSFT:ValueDescription></MSFT:Enum>
            <MSFT:Enum><MSFT:Value>1</MSFT:Value><MSFT:ValueDescription>On</MSFT:ValueDescription></MSFT:Enum>
          </MSFT:AllowedValues>
        </DFProperties>
      </Node>
    </Node>
  </Node>
</MgmtTree>`

func Example() {
	tree, err := ddf.Parse([]byte(exampleDDF))
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := tree.Lookup("./Device/Vendor/Contoso/Widget/My%20Widget/Mode")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Path(), n.Format, n.Access, n.DefaultValue)

	cmd := &syncml.Replace{CmdID: "2", Items: []syncml.Item{{
		Target: &syncml.Location{LocURI: "./Device/Vendor/Contoso/Widget/My%20Widget/Mode"},
		Meta:   &syncml.Meta{Format: "int"},
		Data:   syncml.Text("2"),
	}}}
	err = tree.Check(cmd)
	fmt.Println(errors.Is(err, ddf.ErrValue))
	fmt.Println(err)
	// Output:
	// ./Device/Vendor/Contoso/Widget/{Name}/Mode int Get,Replace 0
	// true
	// ddf: Replace "2" item 0 ./Device/Vendor/Contoso/Widget/My%20Widget/Mode: value not allowed: "2" is not among {0, 1}
}

// A node's path names one node: a DDF whose top-level nodes' Paths make
// two Nodes resolve to one path is refused at the later one, and the
// error names the earlier by position and path.
func ExampleParse_samePath() {
	const in = `<MgmtTree><VerDTD>1.2</VerDTD>
<Node><NodeName>Widget</NodeName><Path>./Vendor/Contoso</Path>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName>Mode</NodeName>
    <DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node>
</Node>
<Node><NodeName>Mode</NodeName><Path>./Vendor/Contoso/Widget</Path>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node>
</MgmtTree>`
	_, err := ddf.Parse([]byte(in))
	var pe *ddf.ParseError
	fmt.Println(errors.As(err, &pe), errors.Is(err, ddf.ErrStructure), pe.Line)
	fmt.Println(err)
	// Output:
	// true true 7
	// ddf: line 7, column 1 (offset 326) in /MgmtTree/Node: node ./Vendor/Contoso/Widget/Mode: unexpected structure: the Node at line 4 column 3, ./Vendor/Contoso/Widget/Mode, has the same path (a node's path names one node)
}
