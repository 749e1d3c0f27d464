package declaredconfig

import (
	"fmt"
	"strconv"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A State is a DCCSPURIState: how far the device has got with a document,
// a CSP or a setting. States below 60 are transient; 60 and above are
// permanent outcomes.
type State uint32

// The DCCSPURIState values.
const (
	StateNotDefined                      State = 0
	StateConfigRequest                   State = 1
	StateConfigInprogress                State = 2
	StateConfigInProgressAsyncPending    State = 3 // applied asynchronously, results pending
	StateDeleteRequest                   State = 10
	StateDeleteInprogress                State = 11
	StateGetRequest                      State = 20
	StateGetInprogress                   State = 21
	StateConstructURIStorageSuccess      State = 40
	StateConfigCompletedSuccess          State = 60
	StateConfigCompletedError            State = 61
	StateConfigInfraError                State = 62
	StateConfigCompletedSuccessNoRefresh State = 63
	StateDeleteCompletedSuccess          State = 70
	StateDeleteCompletedError            State = 71
	StateDeleteInfraError                State = 72
	StateGetCompletedSuccess             State = 80
	StateGetCompletedError               State = 81
	StateGetInfraError                   State = 82
)

// stateStrings holds String of the defined states, made once: a server
// names the state of every document of every message.
var stateStrings = func() map[State]string {
	m := make(map[State]string, len(stateNames))
	for s, n := range stateNames {
		m[s] = n + "(" + strconv.FormatUint(uint64(s), 10) + ")"
	}
	return m
}()

var stateNames = map[State]string{
	StateNotDefined:                      "NotDefined",
	StateConfigRequest:                   "ConfigRequest",
	StateConfigInprogress:                "ConfigInprogress",
	StateConfigInProgressAsyncPending:    "ConfigInProgressAsyncPending",
	StateDeleteRequest:                   "DeleteRequest",
	StateDeleteInprogress:                "DeleteInprogress",
	StateGetRequest:                      "GetRequest",
	StateGetInprogress:                   "GetInprogress",
	StateConstructURIStorageSuccess:      "ConstructURIStorageSuccess",
	StateConfigCompletedSuccess:          "ConfigCompletedSuccess",
	StateConfigCompletedError:            "ConfigCompletedError",
	StateConfigInfraError:                "ConfigInfraError",
	StateConfigCompletedSuccessNoRefresh: "ConfigCompletedSuccessNoRefresh",
	StateDeleteCompletedSuccess:          "DeleteCompletedSuccess",
	StateDeleteCompletedError:            "DeleteCompletedError",
	StateDeleteInfraError:                "DeleteInfraError",
	StateGetCompletedSuccess:             "GetCompletedSuccess",
	StateGetCompletedError:               "GetCompletedError",
	StateGetInfraError:                   "GetInfraError",
}

// String returns the enum name and value, such as
// "ConfigCompletedSuccess(60)", or "State(99)" for an undefined value.
func (s State) String() string {
	if n, ok := stateStrings[s]; ok {
		return n
	}
	return fmt.Sprintf("State(%d)", uint32(s))
}

// Known reports whether s is one of the defined values.
func (s State) Known() bool {
	_, ok := stateNames[s]
	return ok
}

// Transient reports whether s is a defined state the device will move on
// from (below 60).
func (s State) Transient() bool { return s.Known() && s < 60 }

// Completed reports whether s is a defined permanent outcome (60 and above).
func (s State) Completed() bool { return s.Known() && s >= 60 }

// Succeeded reports whether s is a successful outcome: 60, 63, 70 or 80.
func (s State) Succeeded() bool {
	switch s {
	case StateConfigCompletedSuccess, StateConfigCompletedSuccessNoRefresh,
		StateDeleteCompletedSuccess, StateGetCompletedSuccess:
		return true
	}
	return false
}

// Failed reports whether s is a failed outcome: 61, 62, 71, 72, 81 or 82.
func (s State) Failed() bool {
	switch s {
	case StateConfigCompletedError, StateConfigInfraError,
		StateDeleteCompletedError, StateDeleteInfraError,
		StateGetCompletedError, StateGetInfraError:
		return true
	}
	return false
}

// Deleted reports whether s says the document was deleted (70).
func (s State) Deleted() bool { return s == StateDeleteCompletedSuccess }

// ParseState reads a state attribute: a decimal number, optionally
// surrounded by XML white space.
func ParseState(v string) (State, error) {
	n, err := strconv.ParseUint(trimSpace(v), 10, 32)
	if err != nil {
		return 0, errorf("state %s is not a number", shown(v))
	}
	return State(n), nil
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && xmlscan.IsAllSpace(s[i:i+1]) {
		i++
	}
	for j > i && xmlscan.IsAllSpace(s[j-1:j]) {
		j--
	}
	return s[i:j]
}
