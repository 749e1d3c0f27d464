package mde2

// XML namespaces of the enrollment messages.
const (
	nsSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSA    = "http://www.w3.org/2005/08/addressing"
	nsWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsWST    = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
	nsAC     = "http://schemas.xmlsoap.org/ws/2006/12/authorization"
	nsMDE    = "http://schemas.microsoft.com/windows/management/2012/01/enrollment"
	nsXCEP   = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"
	nsWSTEP  = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
	nsDS     = "http://www.w3.org/2000/09/xmldsig#"
	nsDiag   = "http://schemas.microsoft.com/2004/09/servicemodel/diagnostics"
)

// The WS-Addressing actions of the enrollment messages.
const (
	ActionDiscover                     = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover"
	ActionDiscoverResponse             = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse"
	ActionGetPolicies                  = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies"
	ActionGetPoliciesResponse          = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse"
	ActionRequestSecurityToken         = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep"
	ActionRequestSecurityTokenResponse = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep"
	// ActionFault is the action of a SOAP fault.
	ActionFault = "http://www.w3.org/2005/08/addressing/soap/fault"
)

// Token and request types of MS-WSTEP and the security tokens.
const (
	// TokenTypeDeviceEnrollment is the RequestSecurityToken TokenType of
	// an MDM enrollment.
	TokenTypeDeviceEnrollment = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken"
	// RequestTypeIssue asks for a first certificate.
	RequestTypeIssue = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue"
	// RequestTypeRenew asks for a new certificate in place of the
	// current one.
	RequestTypeRenew = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew"

	// ValueTypePKCS10 marks a BinarySecurityToken holding a PKCS#10
	// certificate request.
	ValueTypePKCS10 = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10"
	// ValueTypePKCS7 marks a renewal request: PKCS#7 SignedData around
	// a PKCS#10 request, signed with the current certificate's key.
	ValueTypePKCS7 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#PKCS7"
	// ValueTypeProvisionDoc marks the response's token: the
	// wap-provisioningdoc.
	ValueTypeProvisionDoc = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc"
	// ValueTypeUserToken marks the Federated security token in the
	// header (from the authentication service, or an Entra token).
	ValueTypeUserToken = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentUserToken"
	// ValueTypeJWT marks a header token that is a JSON Web Token, as
	// Entra device tokens are sent.
	ValueTypeJWT = "urn:ietf:params:oauth:token-type:jwt"
	// ValueTypeX509v3 marks a header token holding a DER certificate
	// (the Certificate policy).
	ValueTypeX509v3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	// EncodingTypeBase64 is the EncodingType of every token here.
	EncodingTypeBase64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary"
	// PasswordTypeText is the UsernameToken password type.
	PasswordTypeText = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"

	addressAnonymous = "http://www.w3.org/2005/08/addressing/anonymous"
)
