package dmclient

import (
	"fmt"

	"github.com/windc-go/windc/syncml"
)

// The builders below return commands with an empty CmdID, for the caller
// or session to number. Each addresses one node with one Item.

// Validate reports a ProviderID that cannot be a node name: empty, "."
// or "..", or holding a "/" or a control character. Builders do not check;
// call Validate on IDs that come from outside.
func (l LinkedEnrollment) Validate() error {
	if l.ProviderID == "" {
		return ErrProviderID
	}
	if _, err := syncml.ParseLocURI(string(l.URI())); err != nil {
		return fmt.Errorf("%w %q: %w", ErrProviderID, l.ProviderID, err)
	}
	return nil
}

// ReplaceDiscoveryEndpoint sets DiscoveryEndpoint to url with Replace, the
// first step of the enrollment flow. The value is chr, the OMA-DM default,
// so no Meta is sent, as in Microsoft's example.
func (l LinkedEnrollment) ReplaceDiscoveryEndpoint(url string) syncml.Command {
	return &syncml.Replace{Items: []syncml.Item{valueItem(l.DiscoveryEndpoint(), url)}}
}

// AddDiscoveryEndpoint sets DiscoveryEndpoint to url with Add.
func (l LinkedEnrollment) AddDiscoveryEndpoint(url string) syncml.Command {
	return &syncml.Add{Items: []syncml.Item{valueItem(l.DiscoveryEndpoint(), url)}}
}

// DeleteDiscoveryEndpoint clears DiscoveryEndpoint.
func (l LinkedEnrollment) DeleteDiscoveryEndpoint() syncml.Command {
	return &syncml.Delete{Items: []syncml.Item{targetItem(l.DiscoveryEndpoint())}}
}

// ExecEnroll starts the linked enrollment. DiscoveryEndpoint must be set
// first, else the device answers with ErrorFileNotFound.
func (l LinkedEnrollment) ExecEnroll() syncml.Command {
	return &syncml.Exec{Items: []syncml.Item{targetItem(l.Enroll())}}
}

// ExecUnenroll ends the linked enrollment; the device rolls back what
// declared configuration set.
func (l LinkedEnrollment) ExecUnenroll() syncml.Command {
	return &syncml.Exec{Items: []syncml.Item{targetItem(l.Unenroll())}}
}

// GetEnrollStatus reads EnrollStatus; see ReadEnrollStatus.
func (l LinkedEnrollment) GetEnrollStatus() syncml.Command { return get(l.EnrollStatus()) }

// GetLastError reads LastError; see ReadLastError.
func (l LinkedEnrollment) GetLastError() syncml.Command { return get(l.LastError()) }

// GetDiscoveryEndpoint reads DiscoveryEndpoint; see ReadDiscoveryEndpoint.
func (l LinkedEnrollment) GetDiscoveryEndpoint() syncml.Command { return get(l.DiscoveryEndpoint()) }

// GetPriority reads Priority; see ReadPriority.
func (l LinkedEnrollment) GetPriority() syncml.Command { return get(l.Priority()) }

func get(u URI) syncml.Command {
	return &syncml.Get{Items: []syncml.Item{targetItem(u)}}
}

func targetItem(u URI) syncml.Item {
	return syncml.Item{Target: &syncml.Location{LocURI: string(u)}}
}

func valueItem(u URI, v string) syncml.Item {
	it := targetItem(u)
	it.Data = syncml.Text(v)
	return it
}
