package declaredconfig

import (
	"errors"
	"testing"
)

func TestURIs(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	tests := []struct {
		u    URI
		want string
	}{
		{DocumentURI(Device, Complete, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document"},
		{DocumentURI(User, Complete, id), "./User/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document"},
		{AbandonedURI(Device, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Properties/Abandoned"},
		{ResultsURI(Device, Complete, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/" + id + "/Document"},
		{DocumentURI(Device, Inventory, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Documents/" + id + "/Document"},
		{ResultsURI(Device, Inventory, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Results/" + id + "/Document"},
		{DocumentURI(Device, BulkTemplate, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/BulkTemplate/Documents/" + id + "/Document"},
		{BulkVariablesURI(Device, id), "./Device/Vendor/MSFT/DeclaredConfiguration/Host/BulkTemplate/Documents/" + id + "/BulkVariables/Value"},
		{ResultsURI(User, BulkTemplate, id), "./User/Vendor/MSFT/DeclaredConfiguration/Host/BulkTemplate/Results/" + id + "/Document"},
		{URI{Node: NodeRefreshInterval}, RefreshIntervalURI},
		{URI{Node: NodeConflictResolution}, ConflictResolutionURI},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.u, got, tt.want)
		}
		back, err := ParseURI(tt.want)
		if err != nil || back != tt.u {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", tt.want, back, err, tt.u)
		}
	}
	// Devices report lower-case paths.
	// no scope is device scope; escapes are decoded once
	if u, err := ParseURI("./Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Docu%6Dent"); err != nil || u != DocumentURI(Device, Complete, id) {
		t.Errorf("scope-less ParseURI = %+v, %v", u, err)
	}
	if u, err := ParseURI("./user/vendor/msft/declaredconfiguration/host/complete/documents/" + id + "/document"); err != nil || u != DocumentURI(User, Complete, id) {
		t.Errorf("lower-case URI: %+v, %v", u, err)
	}
	for _, bad := range []string{
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/{" + id + "}/Document",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Documents/" + id + "/Properties/Abandoned",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/BulkVariables/Value",
		"./User/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id,
		"./Device/Vendor/MSFT/DMClient/Provider/X",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Template/Documents/" + id + "/Document",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/../Documents/" + id + "/Document",
		"/Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document",
		"./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document/",
	} {
		if _, err := ParseURI(bad); !errors.Is(err, ErrURI) && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseURI(%q) err = %v, want ErrURI or ErrInvalid", bad, err)
		}
	}
	for i := 0; i < 100; i++ {
		if err := CheckDocID(NewDocID()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestState(t *testing.T) {
	tests := []struct {
		s                                               State
		name                                            string
		transient, completed, succeeded, failed, delete bool
	}{
		{0, "NotDefined(0)", true, false, false, false, false},
		{3, "ConfigInProgressAsyncPending(3)", true, false, false, false, false},
		{40, "ConstructURIStorageSuccess(40)", true, false, false, false, false},
		{60, "ConfigCompletedSuccess(60)", false, true, true, false, false},
		{62, "ConfigInfraError(62)", false, true, false, true, false},
		{63, "ConfigCompletedSuccessNoRefresh(63)", false, true, true, false, false},
		{70, "DeleteCompletedSuccess(70)", false, true, true, false, true},
		{71, "DeleteCompletedError(71)", false, true, false, true, false},
		{82, "GetInfraError(82)", false, true, false, true, false},
		{99, "State(99)", false, false, false, false, false},
	}
	for _, tt := range tests {
		if tt.s.String() != tt.name || tt.s.Transient() != tt.transient || tt.s.Completed() != tt.completed ||
			tt.s.Succeeded() != tt.succeeded || tt.s.Failed() != tt.failed || tt.s.Deleted() != tt.delete {
			t.Errorf("%d: %s transient=%v completed=%v succeeded=%v failed=%v deleted=%v", uint32(tt.s), tt.s,
				tt.s.Transient(), tt.s.Completed(), tt.s.Succeeded(), tt.s.Failed(), tt.s.Deleted())
		}
	}
	if s, err := ParseState(" 61 "); err != nil || s != StateConfigCompletedError {
		t.Errorf("ParseState = %v, %v", s, err)
	}
	if _, err := ParseState("x"); err == nil {
		t.Error("ParseState(x) accepted")
	}
}
