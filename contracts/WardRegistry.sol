// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/**
 * @title WardRegistry
 * @notice Permissioned membership of a ward: who holds which role, with which public key.
 * @dev Patients register themselves and are approved at once; every staff role (Doctor, Nurse,
 * Insurer, ITAdmin) waits as Pending until an Approved ITAdmin approves or rejects it. The chain
 * holds only a commitment to the member's profile (name, age stay off-chain, salted).
 *
 * The account's address must be derived from the public key it registers, so a public key here
 * can be trusted for key wrapping (ECDH) without a separate proof of possession: only the holder
 * of the matching private key can send a transaction from that address.
 *
 * An admin cannot revoke itself, so the registry always keeps at least one Approved ITAdmin.
 */
contract WardRegistry {
    /// @notice Roles as stored on chain (ABI: uint8 0..5).
    enum Role {
        None,
        ITAdmin,
        Doctor,
        Nurse,
        Patient,
        Insurer
    }

    /// @notice Registration state (ABI: uint8 0..4).
    enum Status {
        None,
        Pending,
        Approved,
        Rejected,
        Revoked
    }

    /// @notice Everything the registry knows about one account.
    struct Member {
        Role role;
        Status status;
        /// 64-byte uncompressed secp256k1 public key without the 0x04 prefix.
        bytes publicKey;
        /// Salted commitment to the off-chain profile (name, age); never the profile itself.
        bytes32 profileCommitment;
        uint64 requestedAt;
        uint64 decidedAt;
        /// Who decided; the account itself for self-approved patients and the first admin.
        address decidedBy;
    }

    /// @notice Role.None was requested.
    error InvalidRole();
    /// @notice The public key is not 64 bytes or does not hash to the sender's address.
    error PublicKeyMismatch();
    /// @notice The account is already Pending or Approved.
    error AlreadyRegistered(address account);
    /// @notice The caller is not an Approved ITAdmin.
    error NotITAdmin(address caller);
    /// @notice The target of approve/reject is not Pending.
    error NotPending(address account);
    /// @notice The target of revoke is not Approved.
    error NotApproved(address account);
    /// @notice An admin tried to revoke its own membership.
    error CannotRevokeSelf();
    /// @notice memberAt was called past the end of the member list.
    error IndexOutOfBounds(uint256 index, uint256 count);

    /// @notice An account asked for a role (also emitted for self-approved patients).
    event RegistrationRequested(address indexed account, Role role);
    /// @notice An account became an Approved member.
    event MemberApproved(address indexed account, Role role, address indexed by);
    /// @notice A pending registration was turned down.
    event MemberRejected(address indexed account, Role role, address indexed by);
    /// @notice An approved member lost its role.
    event MemberRevoked(address indexed account, Role role, address indexed by);

    mapping(address account => Member) private _members;
    address[] private _accounts;

    /// @dev Uncompressed secp256k1 public key length without the 0x04 prefix.
    uint256 private constant _PUBLIC_KEY_LENGTH = 64;

    modifier onlyITAdmin() {
        if (!hasRole(msg.sender, Role.ITAdmin)) revert NotITAdmin(msg.sender);
        _;
    }

    /**
     * @notice Creates the registry with the deployer as its first Approved ITAdmin.
     * @param adminPublicKey The deployer's 64-byte public key (no 0x04 prefix).
     * @param adminProfileCommitment Salted commitment to the admin's off-chain profile.
     */
    constructor(bytes memory adminPublicKey, bytes32 adminProfileCommitment) {
        _requireKeyOfSender(adminPublicKey);
        _store(msg.sender, Role.ITAdmin, adminPublicKey, adminProfileCommitment);
        emit RegistrationRequested(msg.sender, Role.ITAdmin);
        _decide(msg.sender, Status.Approved);
        emit MemberApproved(msg.sender, Role.ITAdmin, msg.sender);
    }

    /**
     * @notice Asks for `role` for the sender. Patients are Approved at once, every other role is
     * Pending until an ITAdmin decides. A Rejected or Revoked account may ask again.
     * @param role The requested role (not Role.None).
     * @param publicKey The sender's 64-byte uncompressed public key without the 0x04 prefix; its
     * keccak256 must end in the sender's address.
     * @param profileCommitment Salted commitment to the off-chain profile (name, age).
     */
    function requestRegistration(Role role, bytes calldata publicKey, bytes32 profileCommitment) external {
        if (role == Role.None) revert InvalidRole();
        _requireKeyOfSender(publicKey);
        Status current = _members[msg.sender].status;
        if (current == Status.Pending || current == Status.Approved) revert AlreadyRegistered(msg.sender);

        _store(msg.sender, role, publicKey, profileCommitment);
        emit RegistrationRequested(msg.sender, role);
        if (role == Role.Patient) {
            _decide(msg.sender, Status.Approved);
            emit MemberApproved(msg.sender, role, msg.sender);
        }
    }

    /**
     * @notice Approves a pending registration. Only an Approved ITAdmin.
     * @param account The pending account.
     */
    function approve(address account) external onlyITAdmin {
        Role role = _requirePending(account);
        _decide(account, Status.Approved);
        emit MemberApproved(account, role, msg.sender);
    }

    /**
     * @notice Turns down a pending registration. Only an Approved ITAdmin.
     * @param account The pending account.
     */
    function reject(address account) external onlyITAdmin {
        Role role = _requirePending(account);
        _decide(account, Status.Rejected);
        emit MemberRejected(account, role, msg.sender);
    }

    /**
     * @notice Withdraws an approved membership. Only an Approved ITAdmin, never on itself.
     * @param account The approved account.
     */
    function revoke(address account) external onlyITAdmin {
        if (account == msg.sender) revert CannotRevokeSelf();
        Member storage m = _members[account];
        if (m.status != Status.Approved) revert NotApproved(account);
        Role role = m.role;
        _decide(account, Status.Revoked);
        emit MemberRevoked(account, role, msg.sender);
    }

    /**
     * @notice Full record of an account (all zero when it never registered).
     * @param account The account.
     * @return The stored member record.
     */
    function member(address account) external view returns (Member memory) {
        return _members[account];
    }

    /**
     * @notice Whether `account` is Approved with exactly `role`.
     * @param account The account.
     * @param role The role to test.
     * @return True only for an Approved member holding `role`.
     */
    function hasRole(address account, Role role) public view returns (bool) {
        Member storage m = _members[account];
        return m.status == Status.Approved && m.role == role && role != Role.None;
    }

    /**
     * @notice The role an account may act in now: its role when Approved, otherwise Role.None.
     * @dev Cheap single-call check for other contracts (does not copy the public key).
     * @param account The account.
     * @return The approved role, or Role.None.
     */
    function approvedRole(address account) external view returns (Role) {
        Member storage m = _members[account];
        return m.status == Status.Approved ? m.role : Role.None;
    }

    /**
     * @notice Number of accounts that ever requested registration (including the first admin).
     * @return The count.
     */
    function memberCount() external view returns (uint256) {
        return _accounts.length;
    }

    /**
     * @notice The `index`-th account that ever requested registration, in request order.
     * @param index Zero-based position, below memberCount().
     * @return The account.
     */
    function memberAt(uint256 index) external view returns (address) {
        uint256 count = _accounts.length;
        if (index >= count) revert IndexOutOfBounds(index, count);
        return _accounts[index];
    }

    /// @dev Writes a fresh request; an account enters the ordered list only on its first request.
    function _store(address account, Role role, bytes memory publicKey, bytes32 profileCommitment) private {
        Member storage m = _members[account];
        if (m.status == Status.None) _accounts.push(account);
        m.role = role;
        m.status = Status.Pending;
        m.publicKey = publicKey;
        m.profileCommitment = profileCommitment;
        m.requestedAt = uint64(block.timestamp);
        m.decidedAt = 0;
        m.decidedBy = address(0);
    }

    function _decide(address account, Status status) private {
        Member storage m = _members[account];
        m.status = status;
        m.decidedAt = uint64(block.timestamp);
        m.decidedBy = msg.sender;
    }

    function _requirePending(address account) private view returns (Role) {
        Member storage m = _members[account];
        if (m.status != Status.Pending) revert NotPending(account);
        return m.role;
    }

    /// @dev An Ethereum address is the low 20 bytes of keccak256(64-byte public key).
    function _requireKeyOfSender(bytes memory publicKey) private view {
        if (publicKey.length != _PUBLIC_KEY_LENGTH) revert PublicKeyMismatch();
        if (address(uint160(uint256(keccak256(publicKey)))) != msg.sender) revert PublicKeyMismatch();
    }
}
